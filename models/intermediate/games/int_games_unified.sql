-- One row per game: the team logs (played games) joined to the schedule (every game,
-- including those not yet played) and to the player logs, with game type and season
-- derived from the game id. Team logs can be partial (one side of a game, or a day late)
-- while the player logs are complete: the teams then come from the schedule, else from
-- the player rows (their team, and the MATCHUP text for the side without player rows),
-- and the game is final on the player rows' evidence. has_complete_team_box_score says
-- whether both team logs arrived (the team totals that usage, pace and defensive ratings
-- need); game_box_score_completeness counts the games without them.
-- A table: about 26k rows at 20 seasons, read by ten models. As a view each of them
-- recomputed it, and DuckDB's estimate of it (thousands of times its size) turned the
-- props' join to their games around, hashing the 12M props instead of the games.
{{ config(materialized='table') }}
with

team_logs as (

    select * from {{ ref('stg_nbacom__team_game_logs') }}

),

schedule as (

    select * from {{ ref('stg_nbacom__schedule') }}

),

player_logs as (

    select * from {{ ref('stg_nbacom__player_game_logs') }}

),

team_codes as (

    select * from {{ ref('int_team_codes_unioned') }}

),

game_types as (

    select * from {{ ref('game_types') }}

),

logged_games as (

    select
        game_id,
        min(game_date) as game_date,
        max(case when is_home then team_id end) as home_team_id,
        max(case when not is_home then team_id end) as away_team_id,
        -- MATCHUP names both sides, so one team's log still gives both tri-codes.
        max({{ nba_props.matchup_tricode('matchup', 'home') }}) as home_team_tricode,
        max({{ nba_props.matchup_tricode('matchup', 'away') }}) as away_team_tricode,
        max(case when is_home then points end) as home_points,
        max(case when not is_home then points end) as away_points,
        max(minutes) as team_minutes,
        max(case when is_listed_away_at_home then 1 else 0 end) = 1 as is_neutral_site,
        count(*) as team_log_rows
    from team_logs
    group by game_id

),

logged_games_resolved as (

    select
        logged_games.game_id,
        logged_games.game_date,
        coalesce(logged_games.home_team_id, home_codes.team_id) as home_team_id,
        coalesce(logged_games.away_team_id, away_codes.team_id) as away_team_id,
        logged_games.home_team_tricode,
        logged_games.away_team_tricode,
        logged_games.home_points,
        logged_games.away_points,
        logged_games.team_minutes,
        logged_games.is_neutral_site,
        logged_games.team_log_rows
    from logged_games
    left join team_codes as home_codes
        on logged_games.home_team_tricode = home_codes.team_code
    left join team_codes as away_codes
        on logged_games.away_team_tricode = away_codes.team_code

),

-- The player rows of each game: their teams, and both sides' tri-codes from MATCHUP
-- ('AAA @ HHH' or 'HHH vs. AAA'), which names the opponent even when none of its players
-- is in the feed.
player_logged_games as (

    select
        game_id,
        min(game_date) as game_date,
        max(case when is_home then team_id end) as home_team_id,
        max(case when not is_home then team_id end) as away_team_id,
        max({{ nba_props.matchup_tricode('matchup', 'home') }}) as home_team_tricode,
        max({{ nba_props.matchup_tricode('matchup', 'away') }}) as away_team_tricode,
        max(case when is_listed_away_at_home then 1 else 0 end) = 1 as is_neutral_site,
        count(*) as player_log_rows
    from player_logs
    group by game_id

),

player_logged_games_resolved as (

    select
        player_logged_games.game_id,
        player_logged_games.game_date,
        coalesce(player_logged_games.home_team_id, home_codes.team_id) as home_team_id,
        coalesce(player_logged_games.away_team_id, away_codes.team_id) as away_team_id,
        player_logged_games.home_team_tricode,
        player_logged_games.away_team_tricode,
        player_logged_games.is_neutral_site,
        player_logged_games.player_log_rows
    from player_logged_games
    left join team_codes as home_codes
        on player_logged_games.home_team_tricode = home_codes.team_code
    left join team_codes as away_codes
        on player_logged_games.away_team_tricode = away_codes.team_code

),

joined as (

    select
        coalesce(logged_games.game_id, schedule.game_id, player_games.game_id) as game_id,
        coalesce(logged_games.game_date, schedule.game_date, player_games.game_date)
            as game_date,
        schedule.game_time_utc,
        coalesce(logged_games.home_team_id, schedule.home_team_id, player_games.home_team_id)
            as home_team_id,
        coalesce(logged_games.away_team_id, schedule.away_team_id, player_games.away_team_id)
            as away_team_id,
        coalesce(
            logged_games.home_team_tricode,
            schedule.home_team_tricode,
            player_games.home_team_tricode
        ) as home_team_tricode,
        coalesce(
            logged_games.away_team_tricode,
            schedule.away_team_tricode,
            player_games.away_team_tricode
        ) as away_team_tricode,
        logged_games.home_points,
        logged_games.away_points,
        logged_games.team_minutes,
        coalesce(logged_games.is_neutral_site, player_games.is_neutral_site, false)
            as is_neutral_site,
        coalesce(logged_games.team_log_rows, 0) as team_log_rows,
        coalesce(player_games.player_log_rows, 0) as player_log_rows,
        coalesce(logged_games.team_log_rows, 0) = 2 as has_complete_team_box_score,
        schedule.game_id is not null as is_scheduled,
        case
            when logged_games.team_log_rows = 2 then 'final'
            -- Player box scores are the evidence that the game was played.
            when player_games.game_id is not null then 'final'
            when logged_games.team_log_rows = 1 then 'partial_box_score'
            else coalesce(schedule.game_status, 'scheduled')
        end as game_status
    from logged_games_resolved as logged_games
    full outer join schedule
        on logged_games.game_id = schedule.game_id
    full outer join player_logged_games_resolved as player_games
        on coalesce(logged_games.game_id, schedule.game_id) = player_games.game_id

),

final as (

    select
        joined.*,
        cast(substr(joined.game_id, 3, 1) as integer) as game_type_code,
        game_types.game_type,
        game_types.is_competitive,
        2000 + cast(substr(joined.game_id, 4, 2) as integer) as season_start_year,
        cast(2000 + cast(substr(joined.game_id, 4, 2) as integer) as {{ dbt.type_string() }})
        || '-'
        || lpad(
            cast(mod(cast(substr(joined.game_id, 4, 2) as integer) + 1, 100) as {{ dbt.type_string() }}),
            2,
            '0'
        ) as season
    from joined
    left join game_types
        on cast(substr(joined.game_id, 3, 1) as integer) = game_types.game_type_code

)

select * from final
