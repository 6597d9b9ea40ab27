-- The floor of `make bench`: the core transformations of the dbt project written as plain
-- DuckDB SQL, one statement each, no dbt, no tests, no incremental bookkeeping. It reads the
-- bench warehouse's raw tables (attached read-only as `raw`) and writes its tables into a
-- fresh file-backed database. The full build's ratio to this is what dbt, the tests, the
-- contracts and the point-in-time care cost on top of the arithmetic itself.
--
-- What it covers, as in the project: newest load of each key; the 12 markets' stats per
-- player-game; rolling player windows over the games before each game (L5, L10, season,
-- std, per-36, minutes, rest); team totals, pace and defensive rating, rolled; shot zones
-- (player FGA shares and the zone FG% each defence allows, rolled); the props line
-- selection (newest snapshot per book, the preferred book by priority, the consensus median
-- and the book count); the feature join (player x team x opponent x zones x line) and the
-- grading join (outcome against the line, implied probability). Statements are separated
-- by a line holding only `;`.

create or replace table player_games as
select
    player_id, game_id, team_id, cast(game_date as date) as game_date,
    upper(team_abbreviation) as team_code,
    case when matchup like '%@%' then false else true end as is_home,
    trim(split_part(replace(matchup, ' vs. ', ' @ '), ' @ ', 2)) as opponent_code,
    cast(min as double) as minutes, pts, reb, ast, fg3m, stl, blk, tov, fga, fg3a, fta
from raw.nba_raw.nbacom_player_game_logs
qualify row_number() over (partition by player_id, game_id order by _loaded_at desc, _row_number desc) = 1
;
create or replace table player_stats as
select p.player_id, p.game_id, p.team_id, p.game_date, p.minutes, p.fga, p.fg3a, p.fta, m.market,
    case m.market
        when 'player_points' then pts when 'player_rebounds' then reb
        when 'player_assists' then ast when 'player_threes' then fg3m
        when 'player_steals' then stl when 'player_blocks' then blk
        when 'player_turnovers' then tov when 'player_points_rebounds_assists' then pts + reb + ast
        when 'player_points_rebounds' then pts + reb when 'player_points_assists' then pts + ast
        when 'player_rebounds_assists' then reb + ast else stl + blk
    end as stat
from player_games as p
cross join (values ('player_points'), ('player_rebounds'), ('player_assists'), ('player_threes'),
    ('player_steals'), ('player_blocks'), ('player_turnovers'), ('player_points_rebounds_assists'),
    ('player_points_rebounds'), ('player_points_assists'), ('player_rebounds_assists'),
    ('player_blocks_steals')) as m (market)
;
create or replace table player_rolling as
select
    player_id, game_id, market, game_date, stat,
    lag(stat) over w_all as stat_last_game,
    avg(stat) over (w_all rows between 5 preceding and 1 preceding) as stat_avg_l5,
    avg(stat) over (w_all rows between 10 preceding and 1 preceding) as stat_avg_l10,
    avg(stat) over (w_all rows between unbounded preceding and 1 preceding) as stat_avg_season,
    stddev_samp(stat) over (w_all rows between 10 preceding and 1 preceding) as stat_std_l10,
    36 * sum(stat) over (w_all rows between 10 preceding and 1 preceding)
        / nullif(sum(minutes) over (w_all rows between 10 preceding and 1 preceding), 0)
        as stat_per36_l10,
    avg(minutes) over (w_all rows between 10 preceding and 1 preceding) as minutes_avg_l10,
    avg(fga) over (w_all rows between 10 preceding and 1 preceding) as fga_avg_l10,
    count(*) over (w_all rows between unbounded preceding and 1 preceding) as games_played,
    game_date - lag(game_date) over w_all as days_rest
from player_stats
window w_all as (partition by player_id, market order by game_date, game_id)
;
create or replace table team_games as
select
    t.team_id, t.game_id, cast(t.game_date as date) as game_date, upper(t.team_abbreviation) as team_code,
    t.pts, t.fga, t.fta, t.oreb, t.tov, t.min,
    o.team_id as opponent_team_id, o.pts as opp_pts,
    0.5 * ((t.fga + 0.44 * t.fta - t.oreb + t.tov) + (o.fga + 0.44 * o.fta - o.oreb + o.tov)) as possessions
from raw.nba_raw.nbacom_team_game_logs as t
inner join raw.nba_raw.nbacom_team_game_logs as o on t.game_id = o.game_id and t.team_id != o.team_id
qualify row_number() over (partition by t.team_id, t.game_id order by t._loaded_at desc, o._loaded_at desc) = 1
;
create or replace table team_rolling as
select
    team_id, game_id, game_date, opponent_team_id,
    avg(possessions * 48 / nullif(min / 5, 0)) over (w rows between 10 preceding and 1 preceding) as pace_l10,
    100 * sum(opp_pts) over (w rows between 10 preceding and 1 preceding)
        / nullif(sum(possessions) over (w rows between 10 preceding and 1 preceding), 0)
        as defensive_rating_l10
from team_games
window w as (partition by team_id order by game_date, game_id)
;
create or replace table shot_zone_games as
select
    player_id, lpad(game_id, 10, '0') as game_id, team_id, cast(game_date as date) as game_date,
    count(*) as fga,
    count(*) filter (where basic_zone = 'Restricted Area') as ra_fga,
    count(*) filter (where basic_zone = 'In The Paint (Non-RA)') as paint_fga,
    count(*) filter (where basic_zone = 'Mid-Range') as mid_fga,
    count(*) filter (where basic_zone in ('Left Corner 3', 'Right Corner 3')) as corner3_fga,
    count(*) filter (where basic_zone = 'Above the Break 3') as atb3_fga,
    count(*) filter (where shot_made) as fgm
from raw.nba_raw.nbacom_shot_detail
group by all
;
create or replace table player_zones_rolling as
select
    player_id, game_id, game_date,
    sum(ra_fga) over w10 / nullif(sum(fga) over w10, 0) as ra_share_l10,
    sum(paint_fga) over w10 / nullif(sum(fga) over w10, 0) as paint_share_l10,
    sum(mid_fga) over w10 / nullif(sum(fga) over w10, 0) as mid_share_l10,
    sum(corner3_fga) over w10 / nullif(sum(fga) over w10, 0) as corner3_share_l10,
    sum(atb3_fga) over w10 / nullif(sum(fga) over w10, 0) as atb3_share_l10
from shot_zone_games
window w10 as (partition by player_id order by game_date, game_id rows between 10 preceding and 1 preceding)
;
create or replace table defense_zones_rolling as
with allowed as (
    select g.game_id, o.opponent_team_id as defense_team_id, g.game_date, sum(g.fgm) as fgm, sum(g.fga) as fga
    from shot_zone_games as g
    inner join team_games as o on g.game_id = o.game_id and g.team_id = o.team_id
    group by all
)
select defense_team_id, game_id, game_date,
    sum(fgm) over w10 / nullif(sum(fga) over w10, 0) as fg_pct_allowed_l10
from allowed
window w10 as (partition by defense_team_id order by game_date, game_id rows between 10 preceding and 1 preceding)
;
create or replace table registry as
select id as player_id, lower(regexp_replace(full_name, '[^A-Za-z ]', '', 'g')) as name_key
from raw.nba_raw.nbacom_players
qualify row_number() over (partition by id order by _loaded_at desc) = 1
;
create or replace table prop_lines as
with newest as (
    select
        lower(regexp_replace(player, '[^A-Za-z ]', '', 'g')) as name_key,
        cast(game_time - interval 6 hour as date) as game_date,
        market, bookmaker, line, over_odds, under_odds
    from raw.nba_raw.odds_api_player_props
    qualify row_number() over (
        partition by player, game, market, bookmaker order by snapshot_time desc, _loaded_at desc
    ) = 1
),
ranked as (
    select n.*, r.player_id,
        row_number() over (partition by r.player_id, n.game_date, n.market order by
            case n.bookmaker when 'draftkings' then 1 when 'fanduel' then 2 when 'betmgm' then 3
                when 'williamhill_us' then 4 else 9 end, n.bookmaker) as book_rank,
        median(n.line) over (partition by r.player_id, n.game_date, n.market) as line_consensus,
        count(*) over (partition by r.player_id, n.game_date, n.market) as bookmaker_count
    from newest as n
    inner join registry as r on n.name_key = r.name_key
)
select player_id, game_date, market, bookmaker, line, over_odds, under_odds, line_consensus, bookmaker_count
from ranked
where book_rank = 1
;
create or replace table feature_store as
select
    r.player_id, r.game_id, r.market, r.game_date, g.team_id, t.opponent_team_id, g.is_home,
    r.stat_last_game, r.stat_avg_l5, r.stat_avg_l10, r.stat_avg_season, r.stat_std_l10,
    r.stat_per36_l10, r.minutes_avg_l10, r.fga_avg_l10, r.games_played, r.days_rest,
    r.days_rest = 1 as is_back_to_back,
    t.pace_l10 as team_pace_l10, o.pace_l10 as opponent_pace_l10,
    o.defensive_rating_l10 as opponent_defensive_rating_l10,
    d.fg_pct_allowed_l10 as opponent_fg_pct_allowed_l10,
    z.ra_share_l10, z.paint_share_l10, z.mid_share_l10, z.corner3_share_l10, z.atb3_share_l10,
    l.line as prop_line, l.line_consensus as prop_line_consensus, l.bookmaker_count,
    l.line - r.stat_avg_l10 as line_vs_avg_l10
from player_rolling as r
inner join player_games as g on r.player_id = g.player_id and r.game_id = g.game_id
left join team_rolling as t on g.team_id = t.team_id and r.game_id = t.game_id
left join team_rolling as o on t.opponent_team_id = o.team_id and r.game_id = o.game_id
left join defense_zones_rolling as d on t.opponent_team_id = d.defense_team_id and r.game_id = d.game_id
left join player_zones_rolling as z on r.player_id = z.player_id and r.game_id = z.game_id
left join prop_lines as l on r.player_id = l.player_id and r.game_date = l.game_date and r.market = l.market
;
create or replace table graded as
select
    f.player_id, f.game_id, f.market, f.game_date, f.prop_line, s.stat as actual,
    case when s.stat > f.prop_line then 'OVER' when s.stat < f.prop_line then 'UNDER' else 'PUSH' end as result,
    s.stat - f.stat_avg_l10 as error_avg_l10,
    case when l.over_odds > 0 then 100 / (l.over_odds + 100) else -l.over_odds / (100 - l.over_odds) end
        as implied_prob_over
from feature_store as f
inner join player_stats as s on f.player_id = s.player_id and f.game_id = s.game_id and f.market = s.market
inner join prop_lines as l on f.player_id = l.player_id and f.game_date = l.game_date and f.market = l.market
where f.prop_line is not null
