"""balldontlie: cursor pagination and mapping to the NBA.com player game log shape."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from nba_props.contracts import RAW_TABLES
from nba_props.scrape import SchemaDriftError, ScrapeError, scrape_day
from nba_props.scrape.balldontlie import nba_player_id, normalize_name, parse_minutes

DAY = date(2024, 10, 22)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def bdl_routes(server, payloads):
    p = payloads
    page1 = p.bdl_page(
        [
            p.bdl_stat(1, "Jayson", "Tatum", "BOS", "35:30", pts=37),
            p.bdl_stat(2, "Jaylen", "Brown", "BOS", "31", pts=23),
            p.bdl_stat(3, "Xavier", "Tillman", "BOS", None, pts=None),  # did not play
        ],
        next_cursor=123,
    )
    page2 = p.bdl_page(
        [
            p.bdl_stat(4, "Karl-Anthony", "Towns", "NYK", "24:00", pts=12),
            p.bdl_stat(5, "Notareal", "Player", "NYK", "10", pts=2),
        ],
        next_cursor=None,
    )
    server.route("/v1/stats", p.Reply(body=page1), match=lambda s: s.q("cursor") is None)
    server.route("/v1/stats", p.Reply(body=page2), match=lambda s: s.q("cursor") == "123")
    return server


def test_pagination_follows_the_cursor(bdl_routes, keys, tmp_path, config_factory):
    result = scrape_day(
        "balldontlie", DAY, tmp_path, "b1", base_url=bdl_routes.url, config=config_factory()
    )
    hits = bdl_routes.hits("/v1/stats")
    assert [h.q("cursor") for h in hits] == [None, "123"]
    for h in hits:
        assert h.q("dates[]") == "2024-10-22"
        assert h.q("per_page") == "100"
        assert h.headers["Authorization"] == keys["bdl"]
    assert result.requests == 2
    assert len(result.raw_files) == 2

    (path,) = result.outputs["nbacom_player_game_logs"]
    with path.open(newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [c.name for c in RAW_TABLES["nbacom_player_game_logs"].columns]
    rows = {r["player_name"]: r for r in _read(path)}
    assert set(rows) == {"Jayson Tatum", "Jaylen Brown", "Karl-Anthony Towns"}
    tatum = rows["Jayson Tatum"]
    assert tatum["player_id"] == "1628369"  # NBA.com id, mapped by name
    assert tatum["team_id"] == "1610612738"
    assert tatum["season_id"] == "22024"
    assert tatum["game_id"] == "bdl-15907925"  # no landed NBA.com schedule to map from
    assert tatum["matchup"] == "BOS vs. NYK" and tatum["wl"] == "W"
    assert tatum["min"] == "35.5" and tatum["pts"] == "37" and tatum["tov"] == "2"
    assert rows["Karl-Anthony Towns"]["matchup"] == "NYK @ BOS"
    assert rows["Karl-Anthony Towns"]["wl"] == "L"

    (rejected,) = result.rejected
    assert rejected.name == "_rejected_balldontlie_stats.csv"
    assert [(r["player_name"], r["reason"]) for r in _read(rejected)] == [
        ("Notareal Player", "unknown player name")
    ]
    assert any("1 row(s) could not be mapped" in w for w in result.warnings)


def test_game_ids_come_from_a_landed_nbacom_schedule(
    bdl_routes, nbacom_routes, keys, tmp_path, config_factory
):
    scrape_day("nbacom", DAY, tmp_path, "n1", base_url=nbacom_routes.url, config=config_factory())
    result = scrape_day(
        "balldontlie", DAY, tmp_path, "b1", base_url=bdl_routes.url, config=config_factory()
    )
    rows = _read(result.outputs["nbacom_player_game_logs"][0])
    assert {r["game_id"] for r in rows} == {"0022400061"}


def test_repeated_cursor_stops(server, payloads, keys, tmp_path, config_factory):
    server.route("/v1/stats", payloads.Reply(body=payloads.bdl_page([], next_cursor=7)))
    with pytest.raises(ScrapeError, match="cursor 7 repeated"):
        scrape_day("balldontlie", DAY, tmp_path, "b", base_url=server.url, config=config_factory())
    assert len(server.hits()) == 2
    assert not list(tmp_path.rglob("flat/*"))


def test_page_limit_is_bounded(server, payloads, keys, tmp_path, config_factory):
    server.route(
        "/v1/stats",
        lambda seen: payloads.Reply(
            body=payloads.bdl_page([], next_cursor=int(seen.q("cursor") or 0) + 1)
        ),
    )
    with pytest.raises(ScrapeError, match="more than 4 pages"):
        scrape_day(
            "balldontlie",
            DAY,
            tmp_path,
            "b",
            base_url=server.url,
            config=config_factory(bdl_max_pages=4),
        )
    assert len(server.hits()) == 4


def test_missing_meta_is_drift(server, payloads, keys, tmp_path, config_factory):
    server.route("/v1/stats", payloads.Reply(body={"data": []}))
    with pytest.raises(SchemaDriftError) as err:
        scrape_day("balldontlie", DAY, tmp_path, "b", base_url=server.url, config=config_factory())
    assert err.value.field == "meta" and err.value.endpoint == "stats"
    assert not list(tmp_path.rglob("flat/*"))


def test_name_and_minutes_helpers():
    assert normalize_name("Nikola Jokić") == "nikola jokic"
    assert normalize_name("Jabari Smith Jr.") == "jabari smith"
    assert normalize_name("R.J. Barrett") == "rj barrett"
    assert nba_player_id("Nikola Jokić") == (203999, "")
    assert nba_player_id("Jabari Smith Jr") == (1631095, "")
    assert nba_player_id("Jabari Smith") == (1631095, "")  # today's, not the 2000s one
    assert nba_player_id("Mike James") == (None, "ambiguous player name")
    assert nba_player_id("Nobody McNobody") == (None, "unknown player name")
    assert parse_minutes("34:12") == 34.2
    assert parse_minutes("34") == 34.0
    assert parse_minutes("0") is None
    assert parse_minutes("") is None
    assert parse_minutes(None) is None
    with pytest.raises(ScrapeError, match="unreadable minutes"):
        parse_minutes("DNP")
