-- Every known player: the NBA.com player list plus anyone seen in a box score.
with

listed_players as (

    select * from {{ ref('stg_nbacom__players') }}

),

box_score_players as (

    select
        player_id,
        max(player_name) as player_name,
        min(game_date) as first_game_date,
        max(game_date) as last_game_date,
        count(*) as box_score_games
    from {{ ref('stg_nbacom__player_game_logs') }}
    group by player_id

),

unioned as (

    select
        coalesce(listed_players.player_id, box_score_players.player_id) as player_id,
        coalesce(box_score_players.player_name, listed_players.player_name) as player_name,
        coalesce(listed_players.is_active, false) as is_listed_active,
        box_score_players.player_id is not null as has_box_scores,
        box_score_players.first_game_date,
        box_score_players.last_game_date,
        coalesce(box_score_players.box_score_games, 0) as box_score_games
    from listed_players
    full outer join box_score_players
        on listed_players.player_id = box_score_players.player_id

),

final as (

    select
        *,
        {{ nba_props.normalize_person_name('player_name') }} as name_key,
        {{ nba_props.normalize_person_name('player_name', keep_suffix=true) }}
            as name_key_with_suffix
    from unioned

)

select * from final
