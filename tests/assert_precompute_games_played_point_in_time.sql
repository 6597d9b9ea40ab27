-- Every player_daily_cache row counts exactly the player's competitive games dated
-- strictly before its as-of date: no game of the date itself, no later game.
with

cache as (

    select * from {{ ref('player_daily_cache') }}
    -- The run's window (every row without one); on BigQuery also the partition filter
    -- that require_partition_filter demands.
    where {{ nba_props.test_window('cache_date') }}

),

player_games as (

    select * from {{ ref('int_player_games_sequenced') }}

),

recounted as (

    select
        cache.player_id,
        cache.cache_date,
        cache.games_played_total,
        count(player_games.game_id) as games_before
    from cache
    left join player_games
        on
            cache.player_id = player_games.player_id
            and cache.feature_as_of_date > player_games.game_date
    group by cache.player_id, cache.cache_date, cache.games_played_total

)

select *
from recounted
where games_played_total != games_before
