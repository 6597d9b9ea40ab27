-- Game lines (ESPN-style team codes, no game id) matched to NBA.com games on
-- (date, home team, away team).
with

game_lines as (

    select * from {{ ref('stg_odds_api__game_lines') }}

),

team_codes as (

    select * from {{ ref('int_team_codes_unioned') }}

),

games as (

    select * from {{ ref('int_games_unified') }}

),

joined as (

    select
        game_lines.*,
        home_teams.team_id as home_team_id,
        away_teams.team_id as away_team_id,
        games.game_id
    from game_lines
    left join team_codes as home_teams
        on game_lines.home_team_code = home_teams.team_code
    left join team_codes as away_teams
        on game_lines.away_team_code = away_teams.team_code
    left join games
        on
            game_lines.game_date = games.game_date
            and home_teams.team_id = games.home_team_id
            and away_teams.team_id = games.away_team_id

),

final as (

    select
        *,
        case
            when home_team_id is null or away_team_id is null then 'unknown_team'
            when game_id is null then 'game_not_found'
            else 'resolved'
        end as resolution_status
    from joined

)

select * from final
