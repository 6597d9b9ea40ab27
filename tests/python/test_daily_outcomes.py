"""Issue 17: a day with no data is never a success. It is built, a confirmed no_games day (the
landed NBA.com schedule lists no games), or missing: failed, not marked done, exit code 4.

dbt is replaced by a recorder here (the builds themselves are tested in test_orchestrate.py),
so these tests run in seconds on a few days of the SYNTHETIC demo landing zone.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from nba_props.cli import main
from nba_props.demo import generate_demo
from nba_props.orchestrate.daily import DailyConfig, backfill, run_day
from nba_props.orchestrate.dbt import DbtOutcome
from nba_props.orchestrate.outcome import EXIT_MISSING, EXIT_OK, exit_code, render_backfill
from nba_props.orchestrate.replay import land_by_day

GAME_DAY, NO_GAMES_DAY, NEXT_GAME_DAY = date(2025, 12, 23), date(2025, 12, 24), date(2025, 12, 25)
UNLANDED_DAY, ODDS_ONLY_DAY = date(2025, 12, 26), date(2025, 12, 27)


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo season landed by day (read only: each test copies the days it needs)."""
    root = tmp_path_factory.mktemp("outcomes")
    demo = generate_demo(root / "synthetic", seasons=1, shots=False)
    land_by_day(demo.files, root / "landing")
    return root / "landing"


def mini_landing(season: Path, dest: Path, days: dict[date, tuple[str, ...]]) -> Path:
    """A landing zone with only these days and sources (and the reference files)."""
    shutil.copytree(season / "reference", dest / "reference")
    for day, sources in days.items():
        for source in sources:
            src = season / source / day.isoformat()
            if src.is_dir():
                shutil.copytree(src, dest / source / day.isoformat())
    return dest


class RecordingDbt:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str], **_: Any) -> DbtOutcome:
        self.calls.append(list(args))
        return DbtOutcome(command=list(args), success=True)


def config(tmp_path: Path, landing: Path, dbt: RecordingDbt) -> DailyConfig:
    return DailyConfig(
        database=tmp_path / "wh.duckdb",
        landing=landing,
        mode="replay",
        predict=False,
        run_id="outcomes-1",
        dbt_runner=dbt,
    )


def state(landing: Path) -> dict[str, str]:
    return {
        p.stem: json.loads(p.read_text()).get("outcome", "legacy")
        for p in sorted((landing.parent / "state" / "days").glob("*.json"))
    }


BOTH = ("nbacom", "odds_api")


def test_cli_daily_with_nothing_landed_fails_and_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ODDS_API_KEY", raising=False)
    rc = main(["daily", "--date", "2025-07-04", "--database", str(tmp_path / "wh.duckdb"),
               "--landing", str(tmp_path / "landing"), "--no-predict"])
    out, err = capsys.readouterr()
    assert rc == EXIT_MISSING == 4
    assert "2025-07-04 [replay]" in out and "FAILED, missing data" in out
    assert "nba-props scrape nbacom --date 2025-07-04" in out  # what to do
    assert "mode auto chose replay" in out and "ODDS_API_KEY not set" in out  # said loudly
    assert "models" not in out and "passed" not in out
    assert "missing data: 1 day(s) failed (2025-07-04)" in err
    assert not (tmp_path / "state").exists()


def test_cli_daily_on_a_day_without_games_is_no_games(
    season: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = mini_landing(season, tmp_path / "landing", {NO_GAMES_DAY: BOTH})
    rc = main(["daily", "--date", str(NO_GAMES_DAY), "--mode", "replay", "--no-predict",
               "--database", str(tmp_path / "wh.duckdb"), "--landing", str(landing)])
    out = capsys.readouterr().out
    assert rc == EXIT_OK
    assert f"{NO_GAMES_DAY} [replay]" in out and "no_games, nothing to build" in out
    assert "the landed NBA.com schedule lists none" in out
    assert "models" not in out and "tests" not in out


def test_run_day_classifies_from_the_landed_schedule(season: Path, tmp_path: Path) -> None:
    landing = mini_landing(season, tmp_path / "landing", {
        GAME_DAY: BOTH, NO_GAMES_DAY: BOTH, ODDS_ONLY_DAY: ("odds_api",)})
    dbt = RecordingDbt()
    cfg = config(tmp_path, landing, dbt)

    built = run_day(GAME_DAY, cfg)
    assert built.outcome == "built" and built.rows_loaded > 0 and len(dbt.calls) == 1

    quiet = run_day(NO_GAMES_DAY, cfg)
    assert quiet.outcome == "no_games" and quiet.dbt == [] and len(dbt.calls) == 1

    odds_only = run_day(ODDS_ONLY_DAY, cfg)
    assert odds_only.outcome == "missing" and odds_only.loads == []  # nothing loaded
    assert "no NBA.com schedule or box scores landed" in odds_only.message
    assert "odds_api_player_props" in odds_only.message

    # The warehouse's schedule knows GAME_DAY now: a day with nothing landed says so.
    emptied = mini_landing(season, tmp_path / "other", {})
    again = run_day(GAME_DAY, config(tmp_path, emptied, dbt))
    assert again.outcome == "missing" and "nba_raw.nbacom_schedule lists" in again.message
    assert exit_code([built, quiet]) == EXIT_OK
    assert exit_code([built, quiet, odds_only]) == EXIT_MISSING


def test_backfill_marks_only_built_and_no_games_days_done(season: Path, tmp_path: Path) -> None:
    landing = mini_landing(season, tmp_path / "landing", {
        GAME_DAY: BOTH, NO_GAMES_DAY: BOTH, NEXT_GAME_DAY: BOTH, ODDS_ONLY_DAY: ("odds_api",)})
    dbt = RecordingDbt()
    cfg = config(tmp_path, landing, dbt)

    results = backfill(GAME_DAY, ODDS_ONLY_DAY, cfg, chunk_days=31, progress=False)
    assert [(r.day, r.outcome) for r in results] == [
        (GAME_DAY, "built"), (NO_GAMES_DAY, "no_games"), (NEXT_GAME_DAY, "built"),
        (UNLANDED_DAY, "missing"), (ODDS_ONLY_DAY, "missing")]
    assert len(dbt.calls) == 1  # one build for the chunk's two game days
    assert state(landing) == {str(GAME_DAY): "built", str(NO_GAMES_DAY): "no_games",
                              str(NEXT_GAME_DAY): "built"}
    assert exit_code(results) == EXIT_MISSING
    summary = render_backfill(GAME_DAY, ODDS_ONLY_DAY, results, cfg.run_id)
    assert "5 day(s): 2 built, 1 no_games, 2 failed (missing data), 0 already done" in summary
    assert f"FAILED {UNLANDED_DAY}: {UNLANDED_DAY}: nothing landed" in summary

    # The missing days are tried again (and still fail); the done days are skipped.
    again = backfill(GAME_DAY, ODDS_ONLY_DAY, cfg, chunk_days=31, progress=False)
    assert [(r.day, r.outcome) for r in again] == [
        (UNLANDED_DAY, "missing"), (ODDS_ONLY_DAY, "missing")]
    assert len(dbt.calls) == 1
    summary = render_backfill(GAME_DAY, ODDS_ONLY_DAY, again, cfg.run_id)
    assert "0 built, 0 no_games, 2 failed (missing data), 3 already done" in summary


def test_backfill_redoes_days_an_older_run_marked_done_without_data(
    season: Path, tmp_path: Path
) -> None:
    """Before outcomes were recorded, a day with no data was marked done for good."""
    landing = mini_landing(season, tmp_path / "landing", {GAME_DAY: BOTH, NO_GAMES_DAY: BOTH})
    days = landing.parent / "state" / "days"
    days.mkdir(parents=True)
    legacy = {"run_id": "old", "predictions": 0}
    (days / f"{GAME_DAY}.json").write_text(json.dumps({**legacy, "rows_loaded": 1234}))
    (days / f"{NO_GAMES_DAY}.json").write_text(json.dumps({**legacy, "rows_loaded": 0}))
    (days / f"{NEXT_GAME_DAY}.json").write_text(json.dumps({**legacy, "rows_loaded": 0}))
    results = backfill(GAME_DAY, NEXT_GAME_DAY, config(tmp_path, landing, RecordingDbt()),
                       progress=False)
    assert [(r.day, r.outcome) for r in results] == [
        (NO_GAMES_DAY, "no_games"), (NEXT_GAME_DAY, "missing")]
    assert state(landing) == {str(GAME_DAY): "legacy", str(NO_GAMES_DAY): "no_games",
                              str(NEXT_GAME_DAY): "legacy"}  # the missing day: not marked


def test_cli_backfill_counts_each_kind_of_day_and_exits_4(
    season: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = mini_landing(season, tmp_path / "landing", {NO_GAMES_DAY: BOTH})
    args = ["backfill", "--start", str(NO_GAMES_DAY), "--end", str(UNLANDED_DAY),
            "--mode", "replay", "--no-predict", "--no-progress",
            "--database", str(tmp_path / "wh.duckdb"), "--landing", str(landing)]
    rc = main(args)
    out, err = capsys.readouterr()
    assert rc == EXIT_MISSING
    assert "3 day(s): 0 built, 1 no_games, 2 failed (missing data), 0 already done" in out
    assert f"FAILED {NEXT_GAME_DAY}" in out and f"FAILED {UNLANDED_DAY}" in out
    assert f"missing data: 2 day(s) failed ({NEXT_GAME_DAY}, {UNLANDED_DAY})" in err
    assert state(landing) == {str(NO_GAMES_DAY): "no_games"}

    # Only the no_games day: a run that built nothing, and says exactly that.
    rc = main([*args[:4], str(NO_GAMES_DAY), *args[5:], "--force"])
    out = capsys.readouterr().out
    assert rc == EXIT_OK and "1 day(s): 0 built, 1 no_games, 0 failed" in out
