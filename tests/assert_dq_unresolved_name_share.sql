-- The share of distinct sportsbook player names that stay unresolved must not exceed
-- var('max_unresolved_name_share') (default 1%). Below it, the warning test
-- unresolved_player_names lists each name; above it, name resolution is broken (a new
-- spelling scheme, a feed change) and the build fails.
with

names as (

    select * from {{ ref('int_player_names_resolved') }}

),

share as (

    select
        count(*) as names,
        count(case when resolution_status != 'resolved' then 1 end) as unresolved_names
    from names

)

select
    names,
    unresolved_names,
    {{ nba_props.safe_divide('unresolved_names', 'names') }} as unresolved_share
from share
where unresolved_names > {{ var('max_unresolved_name_share') }} * names
