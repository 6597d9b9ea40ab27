"""daily / backfill in replay mode on the synthetic demo data: idempotent and resumable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from nba_props.cli import main
from nba_props.demo import generate_demo
from nba_props.orchestrate import daily as daily_mod
from nba_props.orchestrate.daily import DailyConfig, backfill, run_day
from nba_props.orchestrate.replay import land_by_day

START, END = date(2025, 10, 21), date(2025, 10, 28)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("replay")
    demo = generate_demo(root / "synthetic", seasons=1, shots=True)
    land_by_day(demo.files, root / "landing")
    return root / "landing"


def config(tmp_path: Path, landing: Path) -> DailyConfig:
    return DailyConfig(
        database=tmp_path / "wh.duckdb",
        landing=landing,
        mode="replay",
        predict=False,
        target_path=tmp_path / "target",
        log_path=tmp_path / "logs",
    )


def counts(database: Path) -> tuple[int, int, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select (select count(*) from nba_raw.nbacom_player_game_logs), "
            "(select count(*) from nba_analytics.player_game_summary), "
            "(select count(*) from nba_raw._load_manifest)"
        ).fetchone()


def expected_player_games(landing: Path, end: date) -> int:
    with duckdb.connect() as con:
        return con.execute(
            "select count(*) from read_csv(?, union_by_name = true) where game_date <= ?",
            [str(landing / "nbacom" / "*" / "replay" / "flat" /
                 "synthetic_nbacom_player_game_logs.csv"),
             end],
        ).fetchone()[0]


def test_backfill_is_resumable_and_idempotent(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path, landing)
    real_dbt = daily_mod._dbt
    calls = {"n": 0}

    def dbt_dies_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("interrupted")
        return real_dbt(*args, **kwargs)

    monkeypatch.setattr(daily_mod, "_dbt", dbt_dies_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        backfill(START, END, cfg, chunk_days=4, progress=False)
    done = sorted(p.stem for p in (landing.parent / "state" / "days").glob("*.json"))
    assert done == ["2025-10-21", "2025-10-22", "2025-10-23", "2025-10-24"]

    monkeypatch.setattr(daily_mod, "_dbt", real_dbt)
    results = backfill(START, END, cfg, chunk_days=4, progress=False)
    # Only the interrupted chunk runs again; its files were loaded before the interruption.
    assert [r.day.isoformat() for r in results] == [
        "2025-10-25", "2025-10-26", "2025-10-27", "2025-10-28"]
    assert sum(r.rows_loaded for r in results) == 0
    raw, summary, loads = counts(cfg.database)
    assert raw == summary == expected_player_games(landing, END) > 0

    again = backfill(START, END, cfg, chunk_days=4, progress=False, force=True)
    assert len(again) == 8 and sum(r.rows_loaded for r in again) == 0
    assert counts(cfg.database) == (raw, summary, loads)


def test_daily_twice_and_a_day_without_games(tmp_path: Path, landing: Path) -> None:
    cfg = config(tmp_path, landing)
    first = run_day(START, cfg)
    assert first.mode == "replay" and first.rows_loaded > 0 and first.dbt
    before = counts(cfg.database)
    second = run_day(START, cfg)
    assert second.rows_loaded == 0
    assert counts(cfg.database) == before
    # 2025-12-24 has no games in the demo schedule: its landed schedule is empty, the day
    # is no_games, nothing is built, and the summary does not count models or tests.
    quiet = run_day(date(2025, 12, 24), cfg)
    assert quiet.outcome == "no_games" and quiet.dbt == [] and quiet.rows_loaded == 0
    assert "no_games" in quiet.render() and "models" not in quiet.render()


def test_cli_daily_in_replay_mode(
    tmp_path: Path, landing: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ODDS_API_KEY", raising=False)
    rc = main(["daily", "--date", "2025-10-22", "--database", str(tmp_path / "c.duckdb"),
               "--landing", str(landing), "--no-predict"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "2025-10-22 [replay]" in out and "0 failed" in out
