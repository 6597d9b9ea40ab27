-- One row per game: the team logs (played games) joined to the schedule (every game,
-- including those not yet played), with game type and season derived from the game id.
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

game_types as (

    select * from {{ ref('game_types') }}

),

logged_games as (

    select
        game_id,
        min(game_date) as game_date,
        max(case when is_home then team_id end) as home_team_id,
        max(case when not is_home then team_id end) as away_team_id,
        max(case when is_home then team_tricode end) as home_team_tricode,
        max(case when not is_home then team_tricode end) as away_team_tricode,
        max(case when is_home then points end) as home_points,
        max(case when not is_home then points end) as away_points,
        max(minutes) as team_minutes,
        max(case when is_listed_away_at_home then 1 else 0 end) = 1 as is_neutral_site,
        count(*) as team_log_rows
    from team_logs
    group by game_id

),

joined as (

    select
        coalesce(logged_games.game_id, schedule.game_id) as game_id,
        coalesce(logged_games.game_date, schedule.game_date) as game_date,
        schedule.game_time_utc,
        coalesce(logged_games.home_team_id, schedule.home_team_id) as home_team_id,
        coalesce(logged_games.away_team_id, schedule.away_team_id) as away_team_id,
        coalesce(logged_games.home_team_tricode, schedule.home_team_tricode)
            as home_team_tricode,
        coalesce(logged_games.away_team_tricode, schedule.away_team_tricode)
            as away_team_tricode,
        logged_games.home_points,
        logged_games.away_points,
        logged_games.team_minutes,
        coalesce(logged_games.is_neutral_site, false) as is_neutral_site,
        coalesce(logged_games.team_log_rows, 0) as team_log_rows,
        schedule.game_id is not null as is_scheduled,
        case
            when logged_games.team_log_rows = 2 then 'final'
            when logged_games.team_log_rows = 1 then 'partial_box_score'
            else coalesce(schedule.game_status, 'scheduled')
        end as game_status
    from logged_games
    full outer join schedule
        on logged_games.game_id = schedule.game_id

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
