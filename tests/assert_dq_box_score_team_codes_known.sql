-- Box scores of competitive games (regular season, play-in, playoffs, Cup final) must
-- name a known NBA team by id and by tri-code. An unknown team would otherwise build
-- rows that no team-level feature or join ever matches.
with

team_logs as (

    select * from {{ ref('stg_nbacom__team_game_logs') }}

),

games as (

    select * from {{ ref('int_games_unified') }}

),

teams as (

    select * from {{ ref('nba_teams') }}

),

competitive_team_logs as (

    select team_logs.*
    from team_logs
    inner join games
        on team_logs.game_id = games.game_id
    where games.is_competitive

)

select
    competitive_team_logs.game_id,
    competitive_team_logs.game_date,
    competitive_team_logs.team_id,
    competitive_team_logs.team_tricode,
    teams.team_tricode as expected_tricode
from competitive_team_logs
left join teams
    on competitive_team_logs.team_id = teams.team_id
where
    teams.team_id is null
    or teams.team_tricode != competitive_team_logs.team_tricode
