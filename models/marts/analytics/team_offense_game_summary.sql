{{ config(**nba_props.fact_config(
    date_column='game_date',
    unique_key=['game_id', 'team_id'],
    cluster_by=['team_id', 'game_type'],
    large=false,
)) }}

with

team_games as (

    select * from {{ ref('int_team_games_paired') }}
    where {{ nba_props.incremental_window('game_date') }}

),

final as (

    select
        game_id,
        team_id,
        game_date,
        season,
        season_start_year,
        game_type,
        team_tricode,
        opponent_team_id,
        opponent_tricode,
        is_home,
        case when is_home then 'home' else 'away' end as home_away,
        win_loss,
        team_minutes,
        points,
        opp_points as points_allowed,
        points - opp_points as point_margin,
        possessions,
        pace,
        {{ nba_props.safe_divide('100 * points', 'possessions') }} as offensive_rating,
        field_goals_made,
        field_goals_attempted,
        threes_made,
        threes_attempted,
        free_throws_made,
        free_throws_attempted,
        offensive_rebounds,
        rebounds,
        assists,
        turnovers,
        {{ nba_props.safe_divide('field_goals_made', 'field_goals_attempted') }}
            as field_goal_pct,
        {{ nba_props.safe_divide('threes_made', 'threes_attempted') }} as three_pct,
        {{ nba_props.safe_divide('free_throws_made', 'free_throws_attempted') }}
            as free_throw_pct,
        {{ nba_props.safe_divide('field_goals_made + 0.5 * threes_made', 'field_goals_attempted') }}
            as effective_fg_pct,
        {{ nba_props.safe_divide('turnovers', 'possessions') }} as turnover_rate,
        {{ nba_props.safe_divide('threes_attempted', 'field_goals_attempted') }}
            as three_attempt_rate
    from team_games

)

select * from final
