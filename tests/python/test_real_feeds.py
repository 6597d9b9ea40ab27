"""Real feeds, real warts: a problem in one part of the data is flagged and counted, and the
rest of the day is still built and predicted.

One warehouse is built from the real 2024-25 files, made ugly inside this test the way
real feeds are:

- an older player registry: nba_api's list without the 2024 draft class (ids from
  1642000), so this season's rookies are names the registry does not know;
- team logs for one side only: the home team's log of every game on ``ONE_SIDED`` removed;
- a day without team logs: every team log of ``NO_TEAM_LOGS`` removed (the player logs
  of both days are complete);
- props with an unknown market and a yes/no market added to the real lines of ``DAY``;
- a duplicated and a corrected row in the player logs (a later file restating a game).

It is built with a plain ``dbt build`` and ``DAY`` is predicted. Each test asserts that the
build completed with warnings and no errors, that the affected rows are flagged and
counted, and that the players who were not affected were predicted.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from nba_api.stats.static import players

from nba_props.load import DuckDBLoader
from nba_props.orchestrate.dbt import DbtOutcome, run_dbt
from nba_props.orchestrate.execution_log import DuckDBExecutionLog, load_files
from nba_props.predict.service import predict
from nba_props.predict.worker import DateResult, closing_as_of
from tests.python.conftest import REAL_DATA_DIR

DAY = date(2024, 11, 4)  # 15 games; lines in all ten markets of the multi-market file
ONE_SIDED = date(2024, 11, 2)
NO_TEAM_LOGS = date(2024, 11, 3)
FIRST_ROOKIE_ID = 1642000  # the 2024 draft class: missing from last season's registry
UNKNOWN_MARKET = "player_fantasy_score"
YES_NO_MARKET = "player_double_double"
MODELLED_IN_FEED = 10  # markets of the real props files (all modelled)

Rows = list[dict[str, str]]


def read_csv(name: str) -> tuple[list[str], Rows]:
    with (REAL_DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: Rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def game_date_of_tipoff(game_time: str) -> date:
    """US game date of a UTC tip-off (the loader's and staging's rule: UTC minus 6 h)."""
    moment = datetime.fromisoformat(game_time.replace("Z", "+00:00")).astimezone(UTC)
    return (moment - timedelta(hours=6)).date()


def nba_date(text: str) -> date:
    return date.fromisoformat(text[:10])


def read_csv_rows_for(game_id: str) -> Rows:
    """Both team-log rows of one game in the real 2024-25 file."""
    return [r for r in read_csv("nbacom_team_game_logs_2024-25.csv")[1] if r["GAME_ID"] == game_id]


@dataclass
class UglyFeeds:
    files: dict[str, list[Path]]
    rookies: set[str]  # rookie names with lines on DAY
    one_sided_games: set[str]
    no_log_games: set[str]
    injected: dict[str, int]  # market -> rows added


def make_ugly_feeds(landing: Path) -> UglyFeeds:
    rookie_ids = {p["id"] for p in players.get_players() if p["id"] >= FIRST_ROOKIE_ID}
    older = [p for p in players.get_players() if p["id"] not in rookie_ids]
    landing.mkdir(parents=True, exist_ok=True)
    registry = landing / "older_registry.json"
    registry.write_text(json.dumps(older), encoding="utf-8")

    header, player_rows = read_csv("nbacom_player_game_logs_2024-25.csv")
    history = [r for r in player_rows if nba_date(r["GAME_DATE"]) < DAY]
    # a later file restates one game: one row repeated as it was, one corrected
    restated = [dict(history[-1]), dict(history[-2], MIN=str(float(history[-2]["MIN"]) + 1.5))]
    player_logs = write_csv(landing / "player_logs.csv", header, history)
    restatement = write_csv(landing / "player_logs_restated.csv", header, restated)

    header, team_rows = read_csv("nbacom_team_game_logs_2024-25.csv")
    team_rows = [r for r in team_rows if nba_date(r["GAME_DATE"]) < DAY]
    one_sided = {r["GAME_ID"] for r in team_rows if nba_date(r["GAME_DATE"]) == ONE_SIDED}
    no_logs = {r["GAME_ID"] for r in team_rows if nba_date(r["GAME_DATE"]) == NO_TEAM_LOGS}
    kept, dropped_side = [], set()
    for r in team_rows:
        if r["GAME_ID"] in no_logs:
            continue
        if r["GAME_ID"] in one_sided and r["GAME_ID"] not in dropped_side:
            dropped_side.add(r["GAME_ID"])  # one team's log of each game: home, away or neutral
            continue
        kept.append(r)
    team_logs = write_csv(landing / "team_logs.csv", header, kept)
    # the schedule lists DAY's games (what the scraper lands each morning): the games to
    # predict, before any box score of the day exists
    day_games = {
        r["GAME_ID"]: r for r in read_csv("nbacom_team_game_logs_2024-25.csv")[1]
        if nba_date(r["GAME_DATE"]) == DAY
    }
    sides: dict[str, dict[str, str]] = {}
    for game_id, _row in day_games.items():
        for r in read_csv_rows_for(game_id):
            side = "home" if "vs." in r["MATCHUP"] else "away"
            sides.setdefault(game_id, {"game_id": game_id, "game_date": DAY.isoformat()})
            sides[game_id][f"{side}_team_id"] = r["TEAM_ID"]
            sides[game_id][f"{side}_team_tricode"] = r["TEAM_ABBREVIATION"]
    schedule = write_csv(
        landing / "schedule.csv",
        ["game_id", "game_date", "home_team_id", "home_team_tricode", "away_team_id",
         "away_team_tricode"],
        list(sides.values()),
    )
    header, line_rows = read_csv("game_lines_2023-24_2024-25.csv")
    game_lines = write_csv(
        landing / "game_lines.csv", header,
        [r for r in line_rows if date(2024, 10, 1) <= date.fromisoformat(r["date"]) < DAY],
    )

    props: list[Path] = []
    rookies: set[str] = set()
    injected = {UNKNOWN_MARKET: 0, YES_NO_MARKET: 0}
    for name in ("odds_api_player_threes_2024-25.csv", "odds_api_player_props_multi_2024-25.csv"):
        header, rows = read_csv(name)
        rows = [r for r in rows if game_date_of_tipoff(r["game_time"]) <= DAY]
        if "multi" in name:
            points = [
                r for r in rows
                if r["market"] == "player_points" and game_date_of_tipoff(r["game_time"]) == DAY
            ]
            for r in points[:40]:
                rows.append(dict(r, market=UNKNOWN_MARKET, line=str(float(r["line"]) + 10)))
                injected[UNKNOWN_MARKET] += 1
            for r in points[40:70]:  # a yes/no market, flattened as over/under 0.5
                rows.append(dict(r, market=YES_NO_MARKET, line="0.5"))
                injected[YES_NO_MARKET] += 1
        by_name = {p["full_name"]: p["id"] for p in players.get_players()}
        rookies |= {
            r["player"] for r in rows
            if by_name.get(r["player"]) in rookie_ids and game_date_of_tipoff(r["game_time"]) == DAY
        }
        props.append(write_csv(landing / f"ugly_{name}", header, rows))

    files = {
        "nbacom_players": [registry],
        "nbacom_player_game_logs": [player_logs, restatement],
        "nbacom_team_game_logs": [team_logs],
        "nbacom_schedule": [schedule],
        "odds_api_game_lines": [game_lines],
        "odds_api_player_props": props,
    }
    return UglyFeeds(files, rookies, one_sided, no_logs, injected)


@dataclass
class Built:
    database: Path
    feeds: UglyFeeds
    build: DbtOutcome
    predicted: DateResult
    coverage: DbtOutcome

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None):
        return self.query(sql, params)[0][0]

    def test_status(self, name: str) -> tuple[str, int]:
        found = [
            n for n in self.build.nodes
            if n.resource_type == "test" and n.unique_id.split(".")[2] == name
        ]
        assert len(found) == 1, name
        return found[0].status, found[0].failures


@pytest.fixture(scope="module")
def ugly(real_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("ugly")
    feeds = make_ugly_feeds(root / "landing")
    database = root / "ugly.duckdb"
    loader = DuckDBLoader(database)
    log = DuckDBExecutionLog(database)
    for table, paths in feeds.files.items():
        load_files(loader, table, paths, log)
    build = run_dbt(["build"], database=database, target_path=root / "target",
                    log_path=root / "logs", quiet=True, raise_on_failure=False)
    predicted = predict(database, DAY, as_of=closing_as_of(DAY), model_dir=root / "models")
    coverage = run_dbt(
        ["build", "--select", "stg_nba_predictions__player_prop_predictions+",
         "--exclude", "prediction_accuracy+"],
        database=database, target_path=root / "target", log_path=root / "logs", quiet=True,
        raise_on_failure=False,
    )
    yield Built(database, feeds, build, predicted, coverage)


def test_the_ugly_build_completes_with_warnings_and_no_errors(ugly: Built) -> None:
    errors = [n.unique_id for n in ugly.build.nodes if n.status in ("error", "fail", "skipped")]
    assert ugly.build.success and not errors, errors
    warned = {n.unique_id.split(".")[2] for n in ugly.build.nodes if n.status == "warn"}
    assert {
        "final_games_have_both_team_box_scores",
        "unknown_prop_markets",
        "unresolved_player_names",
        "assert_dq_unresolved_name_share",
    } <= warned, warned
    assert ugly.coverage.success


def test_partial_team_logs_are_flagged_and_counted(ugly: Built) -> None:
    one_sided, no_logs = ugly.feeds.one_sided_games, ugly.feeds.no_log_games
    assert len(one_sided) >= 5 and len(no_logs) >= 3
    # counted: one warning row per game without both team logs
    assert ugly.test_status("final_games_have_both_team_box_scores") == (
        "warn", len(one_sided) + len(no_logs)
    )
    statuses = dict(ugly.query(
        "select completeness_status, count(*) from nba_monitoring.game_box_score_completeness "
        "where game_date in (?, ?) group by 1",
        [ONE_SIDED, NO_TEAM_LOGS],
    ))
    assert statuses == {"missing_one_team": len(one_sided), "missing_both_teams": len(no_logs)}
    # flagged: every player row of those games, with its opponent from MATCHUP
    rows = ugly.query(
        """
        select
            game_date,
            count(*),
            count(*) filter (where not has_complete_team_box_score),
            count(opponent_team_id)
        from nba_analytics.player_game_summary
        where game_date in (?, ?)
        group by 1
        """,
        [ONE_SIDED, NO_TEAM_LOGS],
    )
    assert len(rows) == 2
    for _day, player_rows, flagged, with_opponent in rows:
        assert player_rows > 50 and flagged == player_rows and with_opponent == player_rows
    # the rest of the season is complete and not flagged
    assert ugly.scalar(
        "select count(*) from nba_analytics.player_game_summary "
        "where game_date not in (?, ?) and not has_complete_team_box_score",
        [ONE_SIDED, NO_TEAM_LOGS],
    ) == 0
    # the opponent matches the game's other team, as the full team logs name it
    _header, team_rows = read_csv("nbacom_team_game_logs_2024-25.csv")
    truth = {(r["GAME_ID"], r["TEAM_ID"]) for r in team_rows if r["GAME_ID"] in one_sided | no_logs}
    pairs = ugly.query(
        "select game_id, opponent_team_id from nba_analytics.player_game_summary "
        "where game_date in (?, ?)",
        [ONE_SIDED, NO_TEAM_LOGS],
    )
    assert all((g, str(o)) in truth for g, o in pairs)


def test_rates_that_need_team_totals_are_null_not_wrong(ugly: Built) -> None:
    # usage stays a share; its l10 flag says when a game of the window had no team log
    top, flagged = ugly.query(
        """
        select max(usage_rate_l10), count(*) filter (where not has_complete_team_totals_l10)
        from nba_precompute.ml_feature_store_v2
        where game_date = ?
        """,
        [DAY],
    )[0]
    assert 0.2 < top < 0.5, top
    assert flagged > 50  # players whose last 10 include the two partial days
    # pace needs both teams' logs: null for the one-sided and log-less games
    paces = ugly.query(
        "select count(*), count(pace) from nba_intermediate.int_team_games_paired "
        "where game_date in (?, ?)",
        [ONE_SIDED, NO_TEAM_LOGS],
    )[0]
    assert paces == (len(ugly.feeds.one_sided_games), 0)  # the one remaining side per game


def test_unknown_and_yes_no_markets_are_listed_and_counted(ugly: Built) -> None:
    listed = {
        (kind, value): (reason, count)
        for kind, value, reason, count in ugly.query(
            "select entity_kind, entity_value, reason, occurrences "
            "from nba_reference.unresolved_entities where entity_kind like 'prop_market%'"
        )
    }
    assert listed == {
        ("prop_market", UNKNOWN_MARKET): ("market_unknown", ugly.feeds.injected[UNKNOWN_MARKET]),
        ("prop_market_not_modelled", YES_NO_MARKET): (
            "market_not_modelled", ugly.feeds.injected[YES_NO_MARKET]
        ),
    }
    assert ugly.test_status("unknown_prop_markets") == ("warn", 1)
    # their lines never reach the modelled line tables
    assert ugly.scalar(
        "select count(*) from nba_reference.player_prop_lines_preferred where market in (?, ?)",
        [UNKNOWN_MARKET, YES_NO_MARKET],
    ) == 0
    coverage = dict(ugly.query(
        "select market, not_predicted_market_not_modelled from nba_monitoring.prediction_coverage "
        "where game_date = ?",
        [DAY],
    ))
    assert coverage[UNKNOWN_MARKET] > 0 and coverage[YES_NO_MARKET] > 0
    assert coverage["player_points"] == 0


def test_rookies_missing_from_an_older_registry_are_listed_not_fatal(ugly: Built) -> None:
    assert len(ugly.feeds.rookies) >= 5, ugly.feeds.rookies
    unresolved = {
        name for (name,) in ugly.query(
            "select entity_value from nba_reference.unresolved_entities "
            "where entity_kind = 'player_name'"
        )
    }
    assert ugly.feeds.rookies <= unresolved
    status, level = ugly.test_status("assert_dq_unresolved_name_share")
    assert (status, level) == ("warn", 1)  # above 1% of names, below the 20% that fails
    missing = ugly.scalar(
        "select sum(not_predicted_player_unresolved) from nba_monitoring.prediction_coverage "
        "where game_date = ?",
        [DAY],
    )
    assert missing >= len(ugly.feeds.rookies)


def test_the_duplicated_and_corrected_rows_keep_one_newest_row(ugly: Built) -> None:
    _header, rows = read_csv("nbacom_player_game_logs_2024-25.csv")
    history = [r for r in rows if nba_date(r["GAME_DATE"]) < DAY]
    corrected = history[-2]
    minutes = ugly.query(
        "select minutes from nba_analytics.player_game_summary where game_id = ? and player_id = ?",
        [corrected["GAME_ID"], int(corrected["PLAYER_ID"])],
    )
    assert minutes == [(pytest.approx(float(corrected["MIN"]) + 1.5),)]
    assert ugly.scalar("select count(*) from nba_analytics.player_game_summary") == len(history)


def test_the_day_is_predicted_for_everyone_else(ugly: Built) -> None:
    result = ugly.predicted
    assert result.skipped_reason is None and result.predictions_written > 0
    by_market = dict(ugly.query(
        "select market, count(distinct player_id) from nba_predictions.player_prop_predictions "
        "where game_date = ? and run_mode = 'live' group by market",
        [DAY],
    ))
    assert len(by_market) == MODELLED_IN_FEED and min(by_market.values()) > 20, by_market
    # players whose recent games lacked team logs are predicted too, not dropped
    flagged_predicted = ugly.scalar(
        """
        select count(distinct predictions.player_id)
        from nba_predictions.player_prop_predictions as predictions
        inner join nba_precompute.ml_feature_store_v2 as features
            on predictions.game_id = features.game_id
            and predictions.player_id = features.player_id
            and predictions.market = features.market
        where predictions.game_date = ? and not features.has_complete_team_totals_l10
        """,
        [DAY],
    )
    assert flagged_predicted > 20
    # coverage of resolved lines is complete in every modelled market
    rows = ugly.query(
        "select market, players_with_line, players_predicted, coverage "
        "from nba_monitoring.prediction_coverage where game_date = ? and players_with_line > 0",
        [DAY],
    )
    assert len(rows) == MODELLED_IN_FEED
    assert all(coverage >= 0.95 for *_, coverage in rows), rows
