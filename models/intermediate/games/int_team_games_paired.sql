-- Each team's box score next to its opponent's, with possessions estimated from both.
with

team_logs as (

    select * from {{ ref('stg_nbacom__team_game_logs') }}

),

games as (

    select * from {{ ref('int_games_unified') }}

),

paired as (

    select
        team.game_id,
        team.game_date,
        team.team_id,
        team.team_tricode,
        team.is_home,
        team.win_loss,
        team.minutes as team_minutes,
        opponent.team_id as opponent_team_id,
        opponent.team_tricode as opponent_tricode,
        team.points,
        team.field_goals_made,
        team.field_goals_attempted,
        team.threes_made,
        team.threes_attempted,
        team.free_throws_made,
        team.free_throws_attempted,
        team.offensive_rebounds,
        team.defensive_rebounds,
        team.rebounds,
        team.assists,
        team.turnovers,
        opponent.points as opp_points,
        opponent.field_goals_made as opp_field_goals_made,
        opponent.field_goals_attempted as opp_field_goals_attempted,
        opponent.threes_made as opp_threes_made,
        opponent.threes_attempted as opp_threes_attempted,
        opponent.free_throws_made as opp_free_throws_made,
        opponent.free_throws_attempted as opp_free_throws_attempted,
        opponent.offensive_rebounds as opp_offensive_rebounds,
        opponent.defensive_rebounds as opp_defensive_rebounds,
        opponent.rebounds as opp_rebounds,
        opponent.assists as opp_assists,
        opponent.turnovers as opp_turnovers,
        opponent.steals as opp_steals,
        opponent.blocks as opp_blocks,
        team.field_goals_attempted - team.offensive_rebounds + team.turnovers
        + 0.44 * team.free_throws_attempted as possessions,
        opponent.field_goals_attempted - opponent.offensive_rebounds + opponent.turnovers
        + 0.44 * opponent.free_throws_attempted as opp_possessions
    from team_logs as team
    left join team_logs as opponent
        on
            team.game_id = opponent.game_id
            and team.team_id != opponent.team_id

),

final as (

    select
        paired.*,
        games.game_type,
        games.season,
        games.season_start_year,
        -- Possessions per 48 minutes, from both teams' estimates.
        {{ nba_props.safe_divide('48 * (paired.possessions + paired.opp_possessions) / 2', 'paired.team_minutes / 5') }}
            as pace
    from paired
    left join games
        on paired.game_id = games.game_id

)

select * from final
