-- Upcoming rows are computed as of as_of_date and dated on or after it; played rows are
-- dated before it. (A wrong as-of date would leak later games into upcoming features.)
with

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

feature_store as (

    select * from {{ ref('ml_feature_store_v2') }}
    -- The run's window (every row without one; a partition filter on BigQuery).
    where {{ nba_props.incremental_window('game_date') }}

)

select
    feature_store.player_id,
    feature_store.game_id,
    feature_store.market
from feature_store
cross join as_of
where
    (feature_store.is_upcoming and (
        feature_store.feature_as_of_date != as_of.as_of_date
        or feature_store.game_date < as_of.as_of_date
    ))
    or (not feature_store.is_upcoming and feature_store.game_date >= as_of.as_of_date)
