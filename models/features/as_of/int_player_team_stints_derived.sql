-- Player-team membership derived from box scores (SCD2 by game date): a new stint starts
-- whenever a player's team changes from one game to the next (trade, signing, waiver).
-- Preseason games count (they show signings before opening night); All-Star games do not.
-- valid_to is the first game of the next stint (exclusive), null for the current stint.
with

player_games as (

    select * from {{ ref('int_player_games_joined') }}
    where game_type != 'all_star'

),

changes as (

    select
        player_id,
        team_id,
        team_tricode,
        game_id,
        game_date,
        case
            when lag(team_id) over (
                partition by player_id order by game_date, game_id
            ) = team_id then 0
            else 1
        end as is_stint_start
    from player_games

),

numbered as (

    select
        *,
        sum(is_stint_start) over (
            partition by player_id order by game_date, game_id
            rows between unbounded preceding and current row
        ) as stint_number
    from changes

),

stints as (

    select
        player_id,
        stint_number,
        team_id,
        max(team_tricode) as team_tricode,
        min(game_date) as valid_from,
        max(game_date) as last_game_date,
        count(*) as games_in_stint
    from numbered
    group by player_id, stint_number, team_id

),

final as (

    select
        *,
        lead(valid_from) over (partition by player_id order by stint_number) as valid_to,
        stint_number = max(stint_number) over (partition by player_id) as is_current_stint
    from stints

)

select * from final
