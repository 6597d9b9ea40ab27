-- Each (player, game) of ml_feature_store_v2 has exactly one row per market of the
-- prop_markets seed, and every game of the spine made it into the store.
with

feature_store as (

    select * from {{ ref('ml_feature_store_v2') }}
    -- The run's window (every row without one; a partition filter on BigQuery).
    where {{ nba_props.incremental_window('game_date') }}

),

spine as (

    select * from {{ ref('int_player_feature_spine_unioned') }}
    where {{ nba_props.incremental_window('game_date') }}

),

market_count as (

    select count(*) as markets from {{ ref('prop_markets') }}

),

per_player_game as (

    select
        spine.player_id,
        spine.game_id,
        count(feature_store.market) as market_rows
    from spine
    left join feature_store
        on
            spine.player_id = feature_store.player_id
            and spine.game_id = feature_store.game_id
    group by spine.player_id, spine.game_id

)

select per_player_game.*
from per_player_game
cross join market_count
where per_player_game.market_rows != market_count.markets
