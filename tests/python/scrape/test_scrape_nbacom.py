"""NBA.com through nba_api, pointed at the local server."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from nba_props.contracts import RAW_TABLES
from nba_props.scrape import RetriesExhaustedError, SchemaDriftError, find_landed, scrape_day
from nba_props.scrape.nbacom import season_for

DAY = date(2024, 10, 22)


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _assert_nothing_flat(landing: Path) -> None:
    assert not list(landing.rglob("flat/*")), "no flattened file may be written"
    assert not list(landing.rglob("_SUCCESS.json"))
    assert find_landed(landing, DAY) == {}


def test_happy_path_writes_contract_csvs(nbacom_routes, tmp_path, config_factory):
    server = nbacom_routes
    result = scrape_day(
        "nbacom", DAY, tmp_path, "run-001", base_url=server.url, timeout=2, config=config_factory()
    )

    assert set(result.outputs) == {
        "nbacom_player_game_logs",
        "nbacom_team_game_logs",
        "nbacom_schedule",
    }
    for table, files in result.outputs.items():
        assert len(files) == 1
        header, _ = _read_csv(files[0])
        assert header == [c.name for c in RAW_TABLES[table].columns]
        assert files[0].parent == tmp_path / "nbacom" / "2024-10-22" / "run-001" / "flat"

    _, players = _read_csv(result.outputs["nbacom_player_game_logs"][0])
    assert [p["player_name"] for p in players] == ["Jayson Tatum", "Karl-Anthony Towns"]
    tatum = players[0]
    assert tatum["player_id"] == "1628369"
    assert tatum["game_id"] == "0022400061"  # leading zeros kept
    assert tatum["game_date"] == "2024-10-22"
    assert tatum["min"] == "30" and tatum["pts"] == "37" and tatum["fg_pct"] == "0.583"
    assert tatum["plus_minus"] == "24" and tatum["start_position"] == ""
    assert tatum.get("video_available", "1") == "1"

    _, teams = _read_csv(result.outputs["nbacom_team_game_logs"][0])
    assert [(t["team_abbreviation"], t["pts"], t["season"]) for t in teams] == [
        ("BOS", "132", "2024-25"),
        ("NYK", "109", "2024-25"),
    ]

    _, schedule = _read_csv(result.outputs["nbacom_schedule"][0])
    assert schedule[0] == {
        "game_id": "0022400061",
        "game_date": "2024-10-22",
        "game_time_utc": "2024-10-22T23:30:00Z",
        "season": "2024-25",
        "home_team_id": "1610612738",
        "home_team_tricode": "BOS",
        "away_team_id": "1610612752",
        "away_team_tricode": "NYK",
        "game_status": "3",
        "arena_name": "",
    }
    assert len(schedule) == 2

    # nba_api built the requests: its endpoint names, parameters and browser headers.
    logs = server.hits("/stats/leaguegamelog")
    assert {r.q("PlayerOrTeam") for r in logs} == {"P", "T"}
    for r in logs:
        assert r.q("Season") == "2024-25"
        assert r.q("SeasonType") == "Regular Season"
        assert r.q("DateFrom") == r.q("DateTo") == "10/22/2024"
        assert r.q("LeagueID") == "00"
        assert r.headers["Host"] == server.url.removeprefix("http://")
        assert "Mozilla" in r.headers["User-Agent"]
        assert r.headers["Referer"] == "https://www.nba.com/"
    board = server.hits("/stats/scoreboardv3")
    assert len(board) == 1 and board[0].q("GameDate") == "2024-10-22"

    assert result.requests == 3 and result.retries == 0
    assert len(result.raw_files) == 3
    assert all(p.parent.name == "raw" and p.suffix == ".json" for p in result.raw_files)
    raw = json.loads(result.raw_files[0].read_text())
    assert raw["scoreboard"]["gameDate"] == "2024-10-22"
    manifest = json.loads(result.manifest.read_text())
    assert manifest["rows"] == {
        "nbacom_player_game_logs": 2,
        "nbacom_team_game_logs": 2,
        "nbacom_schedule": 2,
    }
    assert find_landed(tmp_path, DAY) == result.outputs


def test_one_request_per_season_type(nbacom_routes, tmp_path, config_factory):
    config = config_factory(season_types=("Regular Season", "PlayIn", "Playoffs"))
    result = scrape_day("nbacom", DAY, tmp_path, "r", base_url=nbacom_routes.url, config=config)
    seen = [(r.q("PlayerOrTeam"), r.q("SeasonType")) for r in nbacom_routes.hits()]
    assert sorted(s for s in seen if s[0]) == sorted(
        (pt, st) for pt in "PT" for st in ("Regular Season", "PlayIn", "Playoffs")
    )
    assert result.requests == 7
    # The same payload per season type: rows are concatenated, one set per request.
    _, players = _read_csv(result.outputs["nbacom_player_game_logs"][0])
    assert len(players) == 6


def test_missing_header_is_schema_drift_and_nothing_flat(
    nbacom_routes, payloads, tmp_path, config_factory
):
    broken = payloads.league_game_log("P")
    table = broken["resultSets"][0]
    drop = table["headers"].index("PTS")
    del table["headers"][drop]
    for row in table["rowSet"]:
        del row[drop]
    nbacom_routes.route(
        "/stats/leaguegamelog",
        payloads.Reply(body=broken),
        match=lambda s: s.q("PlayerOrTeam") == "P",
    )
    with pytest.raises(SchemaDriftError) as err:
        scrape_day(
            "nbacom", DAY, tmp_path, "r1", base_url=nbacom_routes.url, config=config_factory()
        )
    message = str(err.value)
    assert "nbacom" in message and "leaguegamelog" in message and "PTS" in message
    assert err.value.field == "LeagueGameLog.headers.PTS"
    _assert_nothing_flat(tmp_path)
    quarantined = list((tmp_path / "_quarantine").rglob("*.body"))
    assert len(quarantined) == 1
    assert "leaguegamelog-P" in quarantined[0].name
    assert (
        "PTS"
        in quarantined[0].with_name(quarantined[0].name.replace(".body", ".error.txt")).read_text()
    )


def test_wrong_type_names_row_and_field(nbacom_routes, payloads, tmp_path, config_factory):
    broken = payloads.league_game_log("P")
    broken["resultSets"][0]["rowSet"][1][1] = "not-an-id"
    nbacom_routes.route(
        "/stats/leaguegamelog",
        payloads.Reply(body=broken),
        match=lambda s: s.q("PlayerOrTeam") == "P",
    )
    with pytest.raises(SchemaDriftError) as err:
        scrape_day(
            "nbacom", DAY, tmp_path, "r1", base_url=nbacom_routes.url, config=config_factory()
        )
    assert err.value.field == "LeagueGameLog.rowSet[1].PLAYER_ID"
    assert "not-an-id" not in str(err.value)  # input values are never echoed
    _assert_nothing_flat(tmp_path)


def test_row_shorter_than_headers_is_drift(nbacom_routes, payloads, tmp_path, config_factory):
    broken = payloads.league_game_log("T")
    broken["resultSets"][0]["rowSet"][0].pop()
    nbacom_routes.route(
        "/stats/leaguegamelog",
        payloads.Reply(body=broken),
        match=lambda s: s.q("PlayerOrTeam") == "T",
    )
    with pytest.raises(SchemaDriftError, match=r"rowSet\[0\] has 28 values for 29 headers") as err:
        scrape_day(
            "nbacom", DAY, tmp_path, "r1", base_url=nbacom_routes.url, config=config_factory()
        )
    assert err.value.field == "resultSets.0.rowSet"
    _assert_nothing_flat(tmp_path)


@pytest.mark.parametrize(
    "body, kind",
    [
        ('{"resultSets": [{"name": "LeagueGameLog", "headers": ["SEASON_ID", "PLAY', "truncated"),
        ('{"resultSets": [}', "malformed"),
        ("<html>Access Denied</html>", "malformed"),
        ("", "empty body"),
    ],
)
def test_bad_json_is_drift(nbacom_routes, payloads, tmp_path, config_factory, body, kind):
    nbacom_routes.route("/stats/scoreboardv3", payloads.Reply(body=body))
    with pytest.raises(SchemaDriftError) as err:
        scrape_day(
            "nbacom", DAY, tmp_path, "r1", base_url=nbacom_routes.url, config=config_factory()
        )
    assert kind in str(err.value)
    assert "nbacom scoreboardv3" in str(err.value)
    assert err.value.field == "(body)"
    _assert_nothing_flat(tmp_path)


def test_scoreboard_missing_field_is_drift(nbacom_routes, payloads, tmp_path, config_factory):
    board = payloads.scoreboard_v3()
    del board["scoreboard"]["games"][1]["awayTeam"]["teamTricode"]
    nbacom_routes.route("/stats/scoreboardv3", payloads.Reply(body=board))
    with pytest.raises(SchemaDriftError) as err:
        scrape_day(
            "nbacom", DAY, tmp_path, "r1", base_url=nbacom_routes.url, config=config_factory()
        )
    assert err.value.field == "scoreboard.games.1.awayTeam.teamTricode"
    assert "Field required" in str(err.value)
    _assert_nothing_flat(tmp_path)


def test_slow_nbacom_times_out_with_clear_error(nbacom_routes, payloads, tmp_path, config_factory):
    nbacom_routes.route("/stats/scoreboardv3", payloads.Reply(body={}, delay=1.0))
    config = config_factory()
    with pytest.raises(RetriesExhaustedError) as err:
        scrape_day(
            "nbacom", DAY, tmp_path, "r1", base_url=nbacom_routes.url, timeout=0.3, config=config
        )
    assert "nbacom scoreboardv3" in str(err.value) and "timed out" in str(err.value)
    assert len(nbacom_routes.hits("/stats/scoreboardv3")) == 3
    _assert_nothing_flat(tmp_path)


def test_season_for():
    assert season_for(date(2024, 10, 22)) == "2024-25"
    assert season_for(date(2025, 4, 13)) == "2024-25"
    assert season_for(date(2025, 6, 20)) == "2024-25"
    assert season_for(date(1999, 11, 2)) == "1999-00"
