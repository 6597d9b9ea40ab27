"""The synthetic demo-data generator: formats of the real files, internal consistency,
determinism, upcoming games and believable betting lines."""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from nba_props.contracts import RAW_TABLES
from nba_props.demo import DemoResult, default_as_of, generate_demo, normalize_name

REAL_DIR = Path(__file__).resolve().parents[2].parent / "shared/data/nba"
SEED = 7
TABLES = {
    "nbacom_player_game_logs",
    "nbacom_team_game_logs",
    "nbacom_schedule",
    "odds_api_player_props",
    "odds_api_game_lines",
    "nbacom_injury_report",
    "nbacom_shot_detail",
    "player_aliases",
}
BOX = [
    "pts",
    "fgm",
    "fga",
    "fg3m",
    "fg3a",
    "ftm",
    "fta",
    "oreb",
    "dreb",
    "reb",
    "ast",
    "stl",
    "blk",
    "tov",
    "pf",
]
DUCK_TYPES = {
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return generate_demo(tmp_path_factory.mktemp("demo"), seasons=1, seed=SEED)


@pytest.fixture(scope="module")
def con(demo: DemoResult, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """Views over the generated files, with every column read as text (like the loader)."""
    con = duckdb.connect()
    tmp = tmp_path_factory.mktemp("unzipped")
    for table, paths in demo.files.items():
        sources = []
        for path in paths:
            if path.name.endswith(".zip"):
                with zipfile.ZipFile(path) as archive:
                    [member] = archive.namelist()
                    path = Path(archive.extract(member, tmp))
            sources.append(str(path))
        con.execute(
            f"create table {table} as select * from read_csv(?, all_varchar = true, "
            "header = true, union_by_name = true)",
            [sources],
        )
    return con


def q(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def header(path: Path) -> list[str]:
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            member = next(m for m in archive.namelist() if not m.startswith("__MACOSX"))
            with archive.open(member) as fh:
                return fh.readline().decode().strip().split(",")
    with path.open(encoding="utf-8") as fh:
        return fh.readline().strip().split(",")


def digests(root: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.iterdir())
        if p.is_file()
    }


# -- files and result ------------------------------------------------------------------------


def test_result_lists_every_file(demo: DemoResult) -> None:
    assert set(demo.files) == TABLES
    assert set(demo.files) <= set(RAW_TABLES)
    root = demo.files["nbacom_schedule"][0].parent
    written = {p.name for p in root.iterdir()}
    listed = {p.name for paths in demo.files.values() for p in paths}
    assert written == listed | {"SYNTHETIC_README.txt"}
    assert all(name.startswith("synthetic_") for name in listed)
    assert "SYNTHETIC" in (root / "SYNTHETIC_README.txt").read_text()
    assert demo.seasons == [2025]
    assert demo.as_of == default_as_of(SEED, 2025)
    assert demo.files["nbacom_shot_detail"][0].name == (
        "synthetic_nbacom_shot_detail_2025-26.csv.zip"
    )
    assert 25_000 < demo.player_games < 33_000
    assert 150_000 < demo.shots < 300_000


def test_output_is_byte_for_byte_deterministic(demo: DemoResult, tmp_path: Path) -> None:
    generate_demo(tmp_path / "again", seasons=1, seed=SEED)
    first = digests(demo.files["nbacom_schedule"][0].parent)
    assert digests(tmp_path / "again") == first
    # Switching shots off changes nothing else.
    generate_demo(tmp_path / "no_shots", seasons=1, seed=SEED, shots=False)
    no_shots = digests(tmp_path / "no_shots")
    assert no_shots == {k: v for k, v in first.items() if "shot_detail" not in k}


def test_headers_match_the_real_files(demo: DemoResult) -> None:
    if not REAL_DIR.is_dir():
        pytest.skip(f"real data not found at {REAL_DIR}")
    real = {
        "nbacom_player_game_logs": "nbacom_player_game_logs_2024-25.csv",
        "nbacom_team_game_logs": "nbacom_team_game_logs_2024-25.csv",
        "odds_api_player_props": "odds_api_player_threes_2024-25.csv",
        "odds_api_game_lines": "game_lines_2023-24_2024-25.csv",
        "nbacom_shot_detail": "nbacom_shot_detail_2024-25.csv.zip",
    }
    extra = {
        "nbacom_player_game_logs": ["START_POSITION"],
        "odds_api_player_props": ["event_id", "snapshot_time"],
    }
    for table, name in real.items():
        expected = header(REAL_DIR / name) + extra.get(table, [])
        assert header(demo.files[table][0]) == expected, table


def test_files_parse_as_the_contract_types(
    demo: DemoResult, con: duckdb.DuckDBPyConnection
) -> None:
    for table, paths in demo.files.items():
        contract = RAW_TABLES[table]
        columns = {c.lower(): c for c in header(paths[0])}
        missing = [c.name for c in contract.required if c.name not in columns]
        assert not missing, (table, missing)
        for col in contract.columns:
            if col.name not in columns or col.type == "VARCHAR":
                continue
            raw = f"nullif(trim(\"{columns[col.name]}\"), '')"
            if col.fmt:
                typed = f"try_strptime({raw}, '{col.fmt}')"
            else:
                typed = f"try_cast({raw} as {DUCK_TYPES[col.type]})"
            bad = scalar(
                con, f"select count(*) from {table} where {raw} is not null and {typed} is null"
            )
            assert bad == 0, (table, col.name)
        for col in contract.required:
            nulls = scalar(con, f'select count(*) from {table} where "{columns[col.name]}" is null')
            assert nulls == 0, (table, col.name)


# -- box scores ------------------------------------------------------------------------------


def test_box_score_identities(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("nbacom_player_game_logs", "nbacom_team_game_logs"):
        bad = scalar(
            con,
            f"""
            select count(*) from {table}
            where fgm::int > fga::int or fg3m::int > fg3a::int or ftm::int > fta::int
               or fg3m::int > fgm::int or fg3a::int > fga::int
               or pts::int <> 2 * fgm::int + fg3m::int + ftm::int
               or reb::int <> oreb::int + dreb::int""",
        )
        assert bad == 0, table
    assert scalar(con, "select max(pf::int) from nbacom_player_game_logs") <= 6
    starters = q(
        con,
        """select count(*) filter (where start_position <> '') s
                         from nbacom_player_game_logs group by game_id, team_id""",
    )
    assert {s for (s,) in starters} == {5}


def test_team_totals_equal_sum_of_player_rows(con: duckdb.DuckDBPyConnection) -> None:
    sums = ", ".join(f"sum({c}::int) as {c}" for c in BOX)
    diff = " or ".join(f"t.{c}::int <> p.{c}" for c in BOX)
    bad = scalar(
        con,
        f"""
        with p as (select game_id, team_id, {sums}, sum(min::double) as min
                   from nbacom_player_game_logs group by all)
        select count(*) from nbacom_team_game_logs t
        full join p using (game_id, team_id)
        where p.game_id is null or t.game_id is null or {diff} or t.min::double <> p.min""",
    )
    assert bad == 0
    minutes = {m for (m,) in q(con, "select distinct min::int from nbacom_team_game_logs")}
    assert 240 in minutes
    assert all((m - 240) % 25 == 0 for m in minutes)
    # Two rows per game, one win and one loss, margins opposite.
    rows = q(
        con,
        """select count(*), sum((wl = 'W')::int), sum(plus_minus::double)
                     from nbacom_team_game_logs group by game_id""",
    )
    assert {r for r in rows} == {(2, 1, 0.0)}


def test_shots_match_box_scores(con: duckdb.DuckDBPyConnection) -> None:
    bad = scalar(
        con,
        """
        with s as (
            select lpad(game_id, 10, '0') as game_id, player_id, count(*) as fga,
                   count(*) filter (where shot_made = 'TRUE') as fgm,
                   count(*) filter (where shot_type = '3PT Field Goal') as fg3a,
                   count(*) filter (where shot_type = '3PT Field Goal' and shot_made = 'TRUE')
                       as fg3m
            from nbacom_shot_detail group by all)
        select count(*) from nbacom_player_game_logs p full join s using (game_id, player_id)
        where coalesce(p.fga::int, 0) <> coalesce(s.fga, 0)
           or coalesce(p.fgm::int, 0) <> coalesce(s.fgm, 0)
           or coalesce(p.fg3a::int, 0) <> coalesce(s.fg3a, 0)
           or coalesce(p.fg3m::int, 0) <> coalesce(s.fg3m, 0)
           or (s.fga > 0 and p.player_id is null)""",
    )
    assert bad == 0
    zones = {z for (z,) in q(con, "select distinct basic_zone from nbacom_shot_detail")}
    assert zones >= {
        "Restricted Area",
        "In The Paint (Non-RA)",
        "Mid-Range",
        "Left Corner 3",
        "Right Corner 3",
        "Above the Break 3",
    }
    mismatched = scalar(
        con,
        """
        select count(*) from nbacom_shot_detail
        where (shot_type = '3PT Field Goal') <> (basic_zone in
                  ('Left Corner 3', 'Right Corner 3', 'Above the Break 3', 'Backcourt'))
           or (basic_zone = 'Restricted Area' and shot_distance::int > 3)
           or (zone_range = '24+ ft.' and shot_distance::int < 22)
           or ((event_type = 'Made Shot') <> (shot_made = 'TRUE'))""",
    )
    assert mismatched == 0
    # Restricted-area shots go in more often than mid-range ones.
    rates = dict(
        q(
            con,
            """select basic_zone, avg((shot_made = 'TRUE')::int)
                           from nbacom_shot_detail group by 1""",
        )
    )
    assert rates["Restricted Area"] > 0.6 > rates["Mid-Range"] > 0.35


def test_season_is_realistic(con: duckdb.DuckDBPyConnection) -> None:
    team_pts = scalar(con, "select avg(pts::int) from nbacom_team_game_logs")
    assert 105 < team_pts < 125
    ppg = q(
        con,
        """select avg(pts::int) from nbacom_player_game_logs group by player_id
                    having count(*) >= 20""",
    )
    top = max(p for (p,) in ppg)
    assert 24 < top < 40
    assert min(p for (p,) in ppg) < 5
    # One trade at least: a player appears for two teams.
    traded = scalar(
        con,
        """select count(*) from (select player_id from nbacom_player_game_logs
                            where season_id = '22025' group by 1
                            having count(distinct team_id) > 1)""",
    )
    assert traded >= 1


# -- schedule and upcoming games -------------------------------------------------------------


def test_every_box_score_game_is_in_the_schedule(con: duckdb.DuckDBPyConnection) -> None:
    orphans = scalar(
        con,
        """select count(*) from nbacom_player_game_logs p
                             anti join nbacom_schedule s using (game_id)""",
    )
    assert orphans == 0
    assert scalar(con, "select count(*) from nbacom_schedule where length(game_id) <> 10") == 0
    per_team = q(
        con,
        """
        select team, count(*) from (
            select home_team_tricode as team from nbacom_schedule where game_id like '002%'
            union all
            select away_team_tricode from nbacom_schedule where game_id like '002%')
        group by 1""",
    )
    assert len(per_team) == 30
    assert {n for _, n in per_team} == {82}
    twice = scalar(
        con,
        """
        select count(*) from (
            select game_date, team from (
                select game_date, home_team_tricode as team from nbacom_schedule
                union all select game_date, away_team_tricode from nbacom_schedule)
            group by all having count(*) > 1)""",
    )
    assert twice == 0
    first, last = q(
        con, "select min(game_date), max(game_date) from nbacom_schedule where game_id like '002%'"
    )[0]
    assert "2025-10-19" <= first <= "2025-10-25"
    assert "2026-04-09" <= last <= "2026-04-16"


def test_upcoming_games_have_context_but_no_results(
    demo: DemoResult, con: duckdb.DuckDBPyConnection
) -> None:
    as_of = demo.as_of.isoformat()
    status = dict(
        q(
            con,
            f"""select game_status, count(*) from nbacom_schedule
                             where game_date >= '{as_of}' group by 1""",
        )
    )
    assert set(status) == {"Scheduled"} and status["Scheduled"] > 5
    assert (
        scalar(
            con,
            f"""select count(*) from nbacom_schedule where game_date < '{as_of}'
                           and game_status <> 'Final'""",
        )
        == 0
    )
    days = scalar(
        con, "select count(distinct game_date) from nbacom_schedule where game_status = 'Scheduled'"
    )
    assert days == 3
    for table in ("nbacom_player_game_logs", "nbacom_team_game_logs"):
        assert scalar(con, f"select max(game_date) from {table}") < as_of
    assert (
        scalar(
            con,
            "select max(strptime(game_date, '%m-%d-%Y'))::date::varchar from nbacom_shot_detail",
        )
        < as_of
    )
    # ... but they have injury reports, opening prop lines and game lines without scores.
    assert (
        scalar(con, f"select count(*) from nbacom_injury_report where game_date >= '{as_of}'") > 0
    )
    upcoming_props = q(
        con,
        f"""select count(*), count(distinct snapshot_time::timestamp
                                    = game_time::timestamp - interval 1 hour)
                                from odds_api_player_props
                                where game_time::timestamp >= '{as_of}'::timestamp
                                  + interval 10 hour""",
    )[0]
    assert upcoming_props[0] > 0 and upcoming_props[1] == 1  # opening snapshots only
    lines = q(
        con,
        f"""select count(*), count(score_home), count(spread)
                       from odds_api_game_lines where date >= '{as_of}'""",
    )[0]
    assert lines == (status["Scheduled"], 0, status["Scheduled"])


def test_ruled_out_players_do_not_play(con: duckdb.DuckDBPyConnection) -> None:
    played = scalar(
        con,
        """select count(*) from nbacom_injury_report i
                            join nbacom_player_game_logs p
                              on p.player_id = i.player_id and p.game_date = i.game_date
                            where i.status = 'Out'""",
    )
    assert played == 0
    statuses = {s for (s,) in q(con, "select distinct status from nbacom_injury_report")}
    assert statuses == {"Out", "Doubtful", "Questionable", "Probable", "Available"}
    per_team_game = scalar(
        con,
        """select avg(n) from (select count(*) n from nbacom_injury_report
                                   group by report_time, team)""",
    )
    assert 1 <= per_team_game <= 5


def test_no_playoff_games_after_as_of_but_playoffs_when_all_played(tmp_path: Path) -> None:
    result = generate_demo(tmp_path, seasons=1, seed=SEED, as_of=None, shots=False)
    assert result.as_of is None
    with duckdb.connect() as c:
        sched = str(result.files["nbacom_schedule"][0])
        rows = c.execute(f"""select substr(game_id, 3, 1), game_status, count(*)
                             from read_csv('{sched}', all_varchar = true)
                             group by all order by 1""").fetchall()
    kinds = {k: n for k, _, n in rows}
    assert {s for _, s, _ in rows} == {"Final"}
    assert kinds["2"] == 1230 and 60 <= kinds["4"] <= 105


# -- betting markets -------------------------------------------------------------------------


def test_prop_lines_sit_near_the_players_averages(
    demo: DemoResult, con: duckdb.DuckDBPyConnection
) -> None:
    aliases = {normalize_name(a): pid for a, pid in demo.alias_names}
    players = dict(q(con, "select distinct player_name, player_id from nbacom_player_game_logs"))
    by_key = {normalize_name(n): pid for n, pid in players.items()}
    names = [p for (p,) in q(con, "select distinct player from odds_api_player_props")]
    resolved = {n: by_key.get(normalize_name(n)) or aliases.get(normalize_name(n)) for n in names}
    assert all(resolved.values()), [n for n, pid in resolved.items() if not pid]
    # a handful of sportsbook spellings differ from NBA.com's
    assert 3 <= sum(n not in players for n in names) <= 0.1 * len(names)
    con.execute("create or replace table name_map (player varchar, player_id varchar)")
    con.executemany(
        "insert into name_map values (?, ?)", [[n, str(p)] for n, p in resolved.items()]
    )
    gap = scalar(
        con,
        """
        with closing as (
            select m.player_id, avg(line::double) as line from odds_api_player_props o
            join name_map m using (player)
            where market = 'player_points'
              and snapshot_time::timestamp > game_time::timestamp - interval 2 hour
            group by 1),
        actual as (select player_id, avg(pts::int) as pts from nbacom_player_game_logs
                   group by 1)
        select avg(abs(line - pts)) from closing join actual using (player_id)""",
    )
    assert gap < 3
    markets = {m for (m,) in q(con, "select distinct market from odds_api_player_props")}
    assert markets == {
        "player_points",
        "player_rebounds",
        "player_assists",
        "player_threes",
        "player_points_rebounds_assists",
    }
    lines = q(
        con,
        """select min(line::double), min(over_odds::int), max(over_odds::int),
                      count(*) filter (where line::double % 1 <> 0.5)
                      from odds_api_player_props""",
    )[0]
    assert lines[0] >= 0.5 and lines[3] == 0
    assert lines[1] >= -200 and lines[2] <= 200
    books = q(
        con,
        """select count(distinct bookmaker) from odds_api_player_props
                      where snapshot_time::timestamp > game_time::timestamp - interval 2 hour
                      group by game""",
    )
    assert {b for (b,) in books} <= {3, 4, 5, 6}
    moves = scalar(
        con,
        """select count(*) from (
        select player, game, market, bookmaker from odds_api_player_props
        group by all having count(distinct line) > 1)""",
    )
    assert moves > 0


def test_alias_names_need_the_alias_table(demo: DemoResult, con: duckdb.DuckDBPyConnection) -> None:
    assert len(demo.alias_names) == 2
    keys = {
        normalize_name(n)
        for (n,) in q(con, "select distinct player_name from nbacom_player_game_logs")
    }
    in_props = {n for (n,) in q(con, "select distinct player from odds_api_player_props")}
    for alias, _ in demo.alias_names:
        assert normalize_name(alias) not in keys
        assert alias in in_props
    table = q(con, "select alias_name, player_id::bigint from player_aliases")
    assert sorted(table) == sorted(demo.alias_names)


def test_game_lines_match_scores_and_codes(con: duckdb.DuckDBPyConnection) -> None:
    codes = {c for (c,) in q(con, "select distinct home from odds_api_game_lines")}
    assert {"gs", "ny", "no", "sa", "utah", "wsh", "bos", "lal"} <= codes and len(codes) == 30
    if REAL_DIR.is_dir():
        real = duckdb.sql(
            f"select distinct home from read_csv('{REAL_DIR / 'game_lines_2023-24_2024-25.csv'}')"
        ).fetchall()
        assert codes == {c for (c,) in real}
    espn = (
        "case team_abbreviation when 'GSW' then 'gs' when 'NYK' then 'ny' "
        "when 'NOP' then 'no' when 'SAS' then 'sa' when 'UTA' then 'utah' "
        "when 'WAS' then 'wsh' else lower(team_abbreviation) end"
    )
    bad = scalar(
        con,
        f"""
        with t as (select game_date, {espn} as code, matchup like '%vs.%' as home, pts
                   from nbacom_team_game_logs)
        select count(*) from odds_api_game_lines g
        left join t h on h.game_date = g.date and h.code = g.home and h.home
        left join t a on a.game_date = g.date and a.code = g.away and not a.home
        where g.score_home is not null
          and (h.pts is distinct from g.score_home or a.pts is distinct from g.score_away)""",
    )
    assert bad == 0
    row = q(
        con,
        """select count(*) filter (where whos_favored not in ('home', 'away')),
                    min(spread::double), avg(total::double),
                    count(*) filter (where score_home is not null and
                        score_home::int <> q1_home::int + q2_home::int + q3_home::int
                                          + q4_home::int + ot_home::int)
                    from odds_api_game_lines""",
    )[0]
    assert row[0] == 0 and row[1] >= 0.5 and 200 < row[2] < 260 and row[3] == 0
    assert {s for (s,) in q(con, "select distinct season from odds_api_game_lines")} == {"2026"}


def test_game_ids_follow_nba_conventions(con: duckdb.DuckDBPyConnection) -> None:
    ids = [g for (g,) in q(con, "select distinct game_id from nbacom_schedule")]
    assert all(re.fullmatch(r"00[24]25\d{5}", g) for g in ids)
    season_ids = {s for (s,) in q(con, "select distinct season_id from nbacom_team_game_logs")}
    assert season_ids <= {"22025", "42025"}
    first = q(con, "select game_time_utc, season from nbacom_schedule order by game_id limit 1")
    assert re.fullmatch(r"2025-10-\d\dT\d\d:\d\d:00Z", first[0][0]) and first[0][1] == "2025-26"


def test_multi_season_keeps_players_and_dates_apart(tmp_path: Path) -> None:
    result = generate_demo(
        tmp_path, seasons=2, last_season=2024, seed=SEED, as_of=date(2025, 3, 1), shots=False
    )
    assert result.seasons == [2023, 2024]
    assert [p.name for p in result.files["nbacom_schedule"]] == [
        "synthetic_nbacom_schedule_2023-24.csv",
        "synthetic_nbacom_schedule_2024-25.csv",
    ]
    assert len(result.alias_names) == 4
    assert len({a for a, _ in result.alias_names}) == 4
    with duckdb.connect() as c:
        files = [str(p) for p in result.files["nbacom_player_game_logs"]]
        seasons = c.execute(f"""select season_id, min(game_date), max(game_date)
                                from read_csv({files}, all_varchar = true)
                                group by 1 order by 1""").fetchall()
    assert [s for s, _, _ in seasons] == ["22023", "22024", "42023"]
    assert seasons[1][2] < "2025-03-01"
