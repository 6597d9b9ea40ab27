-- Player box scores with their game's context: opponent, game type, season, rest.
with

player_logs as (

    select * from {{ ref('stg_nbacom__player_game_logs') }}

),

games as (

    select * from {{ ref('int_games_unified') }}

),

joined as (

    select
        player_logs.*,
        games.game_type_code,
        games.game_type,
        games.season_start_year,
        games.season,
        case
            when player_logs.is_home then games.away_team_id
            else games.home_team_id
        end as opponent_team_id,
        case
            when player_logs.is_home then games.away_team_tricode
            else games.home_team_tricode
        end as opponent_tricode,
        games.game_id is not null as has_game_record,
        coalesce(games.has_complete_team_box_score, false) as has_complete_team_box_score
    from player_logs
    left join games
        on player_logs.game_id = games.game_id

),

with_rest as (

    select
        *,
        lag(game_date) over (
            partition by player_id, season_start_year
            order by game_date, game_id
        ) as previous_game_date,
        -- The feed tells starters apart when any player of the team-game has a position.
        max(case when start_position is not null then 1 else 0 end) over (
            partition by game_id, team_id
        ) = 1 as starter_known
    from joined

),

final as (

    select
        *,
        {{ nba_props.days_between('previous_game_date', 'game_date') }} - 1 as rest_days
    from with_rest

)

select * from final
