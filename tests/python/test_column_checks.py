"""column_checks (macros/tests/column_checks.sql): a model's not-null, accepted-values and
range rules in one test. Run by dbt against a hand-made player_game_summary whose rows each
break one rule, or none."""

from __future__ import annotations

from pathlib import Path

import duckdb

from nba_props.orchestrate.dbt import NodeOutcome, run_dbt

TEST = "player_game_summary_column_checks"
COLUMNS = (
    "game_id varchar, player_id bigint, game_date date, game_type varchar, team_id bigint, "
    "opponent_team_id bigint, minutes double, points bigint, home_away varchar, rest_days bigint, "
    # read by the model's other range rules; left null here (nulls pass)
    "rebounds bigint, assists bigint, field_goal_pct double"
)
GOOD = ("g1", 1, "2025-01-02", "regular_season", 10, 11, 30.0, 20, "home", 2)


def _run(tmp_path: Path, rows: list[tuple]) -> tuple[NodeOutcome, list[tuple]]:
    database = tmp_path / "checks.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists nba_analytics")
        con.execute(f"create or replace table nba_analytics.player_game_summary ({COLUMNS})")
        if rows:
            con.executemany(
                "insert into nba_analytics.player_game_summary by position "
                "select *, null, null, null from (values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))",
                rows,
            )
    outcome = run_dbt(
        ["test", "--select", TEST],
        database=database,
        target_path=tmp_path / "target",
        log_path=tmp_path / "logs",
        quiet=True,
        raise_on_failure=False,
    )
    (node,) = [n for n in outcome.nodes if n.resource_type == "test"]
    (compiled,) = (tmp_path / "target" / "compiled").rglob(f"{TEST}.sql")
    with duckdb.connect(str(database), read_only=True) as con:
        broken = sorted(con.execute(compiled.read_text()).fetchall())
    return node, broken


def test_each_broken_rule_is_reported_with_its_row_count(tmp_path: Path) -> None:
    rows = [
        GOOD,
        # nulls pass accepted_values (home_away) and between (rest_days)
        ("g2", 2, "2025-01-02", "regular_season", 10, 11, 12.0, 4, None, None),
        ("g3", 3, "2025-01-02", "exhibition", 10, 11, 12.0, 4, "away", 1),  # accepted_values
        ("g4", 4, "2025-01-02", "playoffs", 10, 11, 75.0, 4, "home", 1),  # minutes > 70
        ("g5", 5, "2025-01-02", "playoffs", 10, 11, 75.5, 4, "home", -1),  # minutes, rest_days
        ("g6", 6, "2025-01-02", "playoffs", 10, 11, 20.0, None, "home", 0),  # points null
    ]
    node, broken = _run(tmp_path, rows)
    assert broken == [
        ("game_type", "accepted_values", 1),
        ("minutes", "between", 2),
        ("points", "not_null", 1),
        ("rest_days", "between", 1),
    ]
    # dbt counts the bad rows of every rule: 1 + 2 + 1 + 1
    assert (node.status, node.failures) == ("fail", 5)


def test_clean_and_empty_tables_pass(tmp_path: Path) -> None:
    node, broken = _run(
        tmp_path, [GOOD, ("g2", 2, "2025-01-03", "cup_final", 1, 2, 0.0, 0, "away", 0)]
    )
    assert (node.status, node.failures, broken) == ("pass", 0, [])
    node, broken = _run(tmp_path, [])
    assert (node.status, node.failures, broken) == ("pass", 0, [])
