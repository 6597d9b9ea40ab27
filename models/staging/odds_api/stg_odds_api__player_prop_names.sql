-- Every distinct player name in the props feed: the input of name resolution. Read from
-- the raw table directly (staging's dedup keeps every name), so resolving names costs one
-- distinct over the names, not a pass over every line version.
with

source as (

    select * from {{ source('odds_api', 'odds_api_player_props') }}

),

final as (

    select distinct player as player_name
    from source
    where player is not null

)

select * from final
