{{ config(**nba_props.fact_config(
    date_column='game_date',
    unique_key=['game_id', 'player_id'],
    cluster_by=['player_id', 'team_id', 'game_type'],
)) }}

with

player_games as (

    select * from {{ ref('int_player_games_joined') }}
    where {{ nba_props.incremental_window('game_date') }}

),

final as (

    select
        game_id,
        player_id,
        game_date,
        season,
        season_start_year,
        game_type,
        player_name,
        team_id,
        team_tricode,
        opponent_team_id,
        opponent_tricode,
        is_home,
        case when is_home then 'home' else 'away' end as home_away,
        win_loss,
        -- LeagueGameLog has no starter flag: null (unknown) unless the feed carries one.
        case when starter_known then start_position is not null end as is_starter,
        start_position,
        rest_days,
        rest_days = 0 as is_back_to_back,
        minutes,
        points,
        rebounds,
        offensive_rebounds,
        defensive_rebounds,
        assists,
        steals,
        blocks,
        turnovers,
        personal_fouls,
        plus_minus,
        field_goals_made,
        field_goals_attempted,
        threes_made,
        threes_attempted,
        free_throws_made,
        free_throws_attempted,
        field_goals_made - threes_made as twos_made,
        field_goals_attempted - threes_attempted as twos_attempted,
        {{ nba_props.safe_divide('field_goals_made', 'field_goals_attempted') }}
            as field_goal_pct,
        {{ nba_props.safe_divide('threes_made', 'threes_attempted') }} as three_pct,
        {{ nba_props.safe_divide('free_throws_made', 'free_throws_attempted') }}
            as free_throw_pct,
        {{ nba_props.safe_divide('field_goals_made + 0.5 * threes_made', 'field_goals_attempted') }}
            as effective_fg_pct,
        {{ nba_props.safe_divide('points', '2 * (field_goals_attempted + 0.44 * free_throws_attempted)') }}
            as true_shooting_pct,
        points + rebounds + assists as points_rebounds_assists,
        -- Both teams' logs arrived: the team-total rates of this game (usage, pace,
        -- defensive rating) can be trusted. The opponent comes from MATCHUP either way.
        has_complete_team_box_score,
        load_id,
        loaded_at
    from player_games

)

select * from final
