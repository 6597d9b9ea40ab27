-- The player registry: every NBA.com player id we know, with the name keys used to
-- resolve sportsbook spellings and the most recent team seen in a box score.
with

registry as (

    select * from {{ ref('int_player_registry_unioned') }}

),

latest_team as (

    select
        player_id,
        team_id,
        team_tricode,
        row_number() over (
            partition by player_id order by game_date desc, game_id desc
        ) as recency_rank
    from {{ ref('stg_nbacom__player_game_logs') }}

),

final as (

    select
        registry.player_id,
        registry.player_name,
        registry.name_key,
        registry.name_key_with_suffix,
        registry.is_listed_active,
        registry.has_box_scores,
        registry.box_score_games,
        registry.first_game_date,
        registry.last_game_date,
        latest_team.team_id as latest_team_id,
        latest_team.team_tricode as latest_team_tricode
    from registry
    left join latest_team
        on
            registry.player_id = latest_team.player_id
            and latest_team.recency_rank = 1

)

select * from final
