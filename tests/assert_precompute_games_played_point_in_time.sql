-- Every player_daily_cache row counts exactly the player's competitive games dated
-- strictly before its as-of date: no game of the date itself, no later game.
-- Recounted with a running count over the player's games and cache rows in date order
-- (a cache row sorts before the games of its own date), not with the model's own macro.
with

cache as (

    select * from {{ ref('player_daily_cache') }}
    -- The run's window (every row without one; a partition filter on BigQuery).
    where {{ nba_props.incremental_window('cache_date') }}

),

player_games as (

    select * from {{ ref('int_player_games_sequenced') }}

),

events as (

    select
        player_id,
        game_date as event_date,
        1 as is_game,
        cast(null as date) as cache_date,
        cast(null as {{ dbt.type_bigint() }}) as games_played_total
    from player_games
    union all
    select
        player_id,
        feature_as_of_date as event_date,
        0 as is_game,
        cache_date,
        games_played_total
    from cache

),

recounted as (

    select
        player_id,
        is_game,
        cache_date,
        games_played_total,
        sum(is_game) over (
            partition by player_id
            order by event_date, is_game
            rows between unbounded preceding and current row
        ) as games_before
    from events

)

select
    player_id,
    cache_date,
    games_played_total,
    games_before
from recounted
where is_game = 0 and games_played_total != games_before
