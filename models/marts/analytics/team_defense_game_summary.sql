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
        opp_points as points_allowed,
        opp_possessions,
        pace,
        {{ nba_props.safe_divide('100 * opp_points', 'opp_possessions') }} as defensive_rating,
        opp_field_goals_made,
        opp_field_goals_attempted,
        opp_threes_made,
        opp_threes_attempted,
        opp_free_throws_made,
        opp_free_throws_attempted,
        opp_offensive_rebounds,
        opp_rebounds,
        opp_assists,
        opp_turnovers,
        defensive_rebounds,
        {{ nba_props.safe_divide('opp_field_goals_made', 'opp_field_goals_attempted') }}
            as opp_field_goal_pct,
        {{ nba_props.safe_divide('opp_threes_made', 'opp_threes_attempted') }} as opp_three_pct,
        {{ nba_props.safe_divide('opp_free_throws_made', 'opp_free_throws_attempted') }}
            as opp_free_throw_pct,
        {{ nba_props.safe_divide('opp_field_goals_made + 0.5 * opp_threes_made', 'opp_field_goals_attempted') }}
            as opp_effective_fg_pct,
        {{ nba_props.safe_divide('opp_turnovers', 'opp_possessions') }} as forced_turnover_rate,
        {{ nba_props.safe_divide('defensive_rebounds', 'defensive_rebounds + opp_offensive_rebounds') }}
            as defensive_rebound_pct
    from team_games

)

select * from final
