-- One row per game (int_games_unified): teams, date and tip-off, status, box-score
-- completeness, game type and season. The games relation Python and people read (the run
-- summary's missing box scores, the replay's days): a view with a contract.
with

games as (

    select * from {{ ref('int_games_unified') }}

),

final as (

    select
        game_id,
        game_date,
        game_time_utc,
        home_team_id,
        away_team_id,
        home_team_tricode,
        away_team_tricode,
        home_points,
        away_points,
        team_minutes,
        is_neutral_site,
        team_log_rows,
        player_log_rows,
        has_complete_team_box_score,
        is_scheduled,
        game_status,
        game_type_code,
        game_type,
        is_competitive,
        season_start_year,
        season
    from games

)

select * from final
