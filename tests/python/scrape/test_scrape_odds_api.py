"""The Odds API v4 against the local server: events + event odds flattened to props rows."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from nba_props.contracts import RAW_TABLES
from nba_props.scrape import SchemaDriftError, ScrapeError, find_landed, scrape_day
from nba_props.scrape.odds_api import EventOdds, day_window, flatten
from tests.python.scrape.conftest import EVENT_BOS, event_odds

DAY = date(2024, 10, 22)
ROOT = "/v4/sports/basketball_nba"
HIST = "/v4/historical/sports/basketball_nba"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == [c.name for c in RAW_TABLES["odds_api_player_props"].columns]
        return list(reader)


def _by_key(rows: list[dict[str, str]]) -> dict[tuple[str, str, str, str], dict[str, str]]:
    return {(r["player"], r["bookmaker"], r["market"], r["line"]): r for r in rows}


def test_live_events_and_event_odds_flatten(odds_routes, keys, tmp_path, config_factory):
    server = odds_routes
    config = config_factory(odds_mode="live")
    result = scrape_day("odds_api", DAY, tmp_path, "live-1", base_url=server.url, config=config)

    rows = _rows(result.outputs["odds_api_player_props"][0])
    # BOS: draftkings points 2 + threes 2 (one Over-only), fanduel points 1; LAL: 1.
    assert len(rows) == 6
    got = _by_key(rows)
    tatum = got[("Jayson Tatum", "draftkings", "player_points", "27.5")]
    assert tatum == {
        "player": "Jayson Tatum",
        "game": "New York Knicks @ Boston Celtics",
        "game_time": "2024-10-22T23:40:00Z",
        "market": "player_points",
        "line": "27.5",
        "bookmaker": "draftkings",
        "over_odds": "-115",
        "under_odds": "-105",
        "bookmaker_last_update": "2024-10-22T23:35:00Z",
        "market_last_update": "2024-10-22T23:35:00Z",
        "event_id": "e912304de2b2ce35b473ce2ecd3d1502",
        "snapshot_time": "2024-10-22T15:00:00Z",  # the (fixed) time of the request
    }
    white = got[("Derrick White", "draftkings", "player_threes", "2.5")]
    assert white["over_odds"] == "110" and white["under_odds"] == ""
    assert got[("Jayson Tatum", "fanduel", "player_points", "27.5")]["over_odds"] == "-110"
    davis = got[("Anthony Davis", "fanduel", "player_points", "26.5")]
    assert davis["game"] == "Minnesota Timberwolves @ Los Angeles Lakers"
    assert davis["game_time"] == "2024-10-23T02:10:00Z"  # 22:10 ET on the 22nd
    assert not any(r["game"].startswith("Indiana") for r in rows)  # next Eastern day
    assert any("1 outcome(s)" in w for w in result.warnings)  # the "Yes" outcome

    events = server.hits(f"{ROOT}/events")
    assert len(events) == 1
    start, end = day_window(DAY)
    assert end - start == timedelta(hours=24)
    assert (
        events[0].q("commenceTimeFrom")
        == "2024-10-22T04:00:00Z"
        == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert events[0].q("commenceTimeTo") == "2024-10-23T03:59:59Z"
    odds = server.hits(f"{ROOT}/events/{tatum['event_id']}/odds")
    assert len(odds) == 1
    assert odds[0].q("apiKey") == keys["odds"]  # sent to the API ...
    assert odds[0].q("regions") == "us" and odds[0].q("oddsFormat") == "american"
    assert odds[0].q("markets").split(",")[:3] == [
        "player_points",
        "player_rebounds",
        "player_assists",
    ]
    assert not server.hits(f"{ROOT}/events/{'f' * 4}eeeeddddccccbbbbaaaa99998888/odds")
    assert result.requests == 3
    # ... and nowhere on disk.
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert keys["odds"] not in path.read_text(errors="replace")


def test_historical_snapshots_use_wrapper_timestamp(
    server, payloads, keys, tmp_path, config_factory
):
    server.route(
        f"{HIST}/events",
        payloads.Reply(body=payloads.historical(payloads.odds_events(), "2024-10-22T03:55:00Z")),
    )
    for event_id in (payloads.EVENT_BOS, payloads.EVENT_LAL):
        server.route(
            f"{HIST}/events/{event_id}/odds",
            payloads.Reply(
                body=payloads.historical(payloads.event_odds(event_id), "2024-10-22T23:35:00Z")
            ),
        )
    # auto mode: the date is before "today" (fixed clock moved a week on) -> historical.
    config = config_factory(now=lambda: payloads.FIXED_NOW.replace(day=29))
    result = scrape_day("odds_api", DAY, tmp_path, "hist-1", base_url=server.url, config=config)
    rows = _rows(result.outputs["odds_api_player_props"][0])
    assert len(rows) == 6
    assert {r["snapshot_time"] for r in rows} == {"2024-10-22T23:35:00Z"}
    listing = server.hits(f"{HIST}/events")[0]
    assert listing.q("date") == "2024-10-22T04:00:00Z"
    odds = server.hits(f"{HIST}/events/{payloads.EVENT_BOS}/odds")[0]
    assert odds.q("date") == "2024-10-22T23:40:00Z"  # the snapshot at tip-off
    assert not server.hits(f"{ROOT}/events")


def test_missing_price_names_the_field_and_writes_nothing(
    odds_routes, payloads, keys, tmp_path, config_factory
):
    odds = payloads.event_odds(payloads.EVENT_LAL)
    del odds["bookmakers"][0]["markets"][0]["outcomes"][1]["price"]
    odds_routes.route(f"{ROOT}/events/{payloads.EVENT_LAL}/odds", payloads.Reply(body=odds))
    config = config_factory(odds_mode="live")
    with pytest.raises(SchemaDriftError) as err:
        scrape_day("odds_api", DAY, tmp_path, "r", base_url=odds_routes.url, config=config)
    assert err.value.source == "odds_api" and err.value.endpoint == "event_odds"
    assert err.value.field == "bookmakers.0.markets.0.outcomes.1.price"
    assert "Field required" in str(err.value)
    assert not list(tmp_path.rglob("flat/*"))
    assert find_landed(tmp_path, DAY) == {}
    assert len(list((tmp_path / "_quarantine").rglob("*.body"))) == 1


def test_wrong_type_and_malformed_json(odds_routes, payloads, keys, tmp_path, config_factory):
    events = payloads.odds_events()
    events[0]["commence_time"] = "tomorrow-ish"
    odds_routes.route(f"{ROOT}/events", payloads.Reply(body=events))
    config = config_factory(odds_mode="live")
    with pytest.raises(SchemaDriftError) as err:
        scrape_day("odds_api", DAY, tmp_path, "r1", base_url=odds_routes.url, config=config)
    assert err.value.field == "0.commence_time"

    odds_routes.route(f"{ROOT}/events", payloads.Reply(body='[{"id": "abc",, }]'))
    with pytest.raises(SchemaDriftError, match="malformed JSON"):
        scrape_day("odds_api", DAY, tmp_path, "r2", base_url=odds_routes.url, config=config)
    assert not list(tmp_path.rglob("flat/*"))


def test_missing_event_odds_404_is_skipped_with_warning(
    odds_routes, payloads, keys, tmp_path, config_factory
):
    odds_routes.route(
        f"{ROOT}/events/{payloads.EVENT_LAL}/odds",
        payloads.Reply(404, {"message": "Event not found", "error_code": "EVENT_NOT_FOUND"}),
    )
    config = config_factory(odds_mode="live")
    result = scrape_day("odds_api", DAY, tmp_path, "r", base_url=odds_routes.url, config=config)
    rows = _rows(result.outputs["odds_api_player_props"][0])
    assert len(rows) == 5
    assert any(payloads.EVENT_LAL in w and "404" in w for w in result.warnings)


def test_unsafe_event_id_is_refused(odds_routes, payloads, keys, tmp_path, config_factory):
    events = payloads.odds_events()
    events[0]["id"] = "../../../v4/sports?x=1"
    odds_routes.route(f"{ROOT}/events", payloads.Reply(body=events))
    with pytest.raises(ScrapeError, match="unsafe event id"):
        scrape_day(
            "odds_api",
            DAY,
            tmp_path,
            "r",
            base_url=odds_routes.url,
            config=config_factory(odds_mode="live"),
        )
    assert len(odds_routes.hits()) == 1  # only the events listing


def test_base_url_with_version_suffix_is_accepted(odds_routes, keys, tmp_path, config_factory):
    result = scrape_day(
        "odds_api",
        DAY,
        tmp_path,
        "r",
        base_url=f"{odds_routes.url}/v4/",
        config=config_factory(odds_mode="live"),
    )
    assert result.requests == 3


def test_yes_no_markets_land_as_over_under_half_and_others_are_counted() -> None:
    """A double-double's Yes/No prices land as the over/under of 0.5 (so the market is
    counted downstream as not modelled); a Yes outcome in an over/under market is skipped
    and counted, never guessed."""
    payload = event_odds(EVENT_BOS)
    payload["bookmakers"][0]["markets"].append({
        "key": "player_double_double", "last_update": "2024-10-22T23:35:00Z",
        "outcomes": [
            {"name": "Yes", "description": "Jayson Tatum", "price": 150},
            {"name": "No", "description": "Jayson Tatum", "price": -190},
        ],
    })
    rows, skipped = flatten(EventOdds.model_validate(payload), None)
    double = [r for r in rows if r["market"] == "player_double_double"]
    assert [(r["player"], r["line"], r["over_odds"], r["under_odds"]) for r in double] == [
        ("Jayson Tatum", 0.5, 150, -190)
    ]
    assert skipped == 1  # the fixture's "Yes" inside player_points
    assert {r["market"] for r in rows} == {
        "player_points", "player_threes", "player_double_double"
    }
