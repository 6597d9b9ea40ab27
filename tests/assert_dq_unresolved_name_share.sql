-- The share of distinct sportsbook player names that stay unresolved must not exceed
-- var('max_unresolved_name_share') (default 1%). Below it, the warning test
-- unresolved_player_names lists each name; above it, name resolution is broken (a new
-- spelling scheme, a feed change) and the build fails.
with

resolved_names as (

    select * from {{ ref('int_player_names_resolved') }}

),

share as (

    select
        count(*) as name_count,
        count(case when resolution_status != 'resolved' then 1 end) as unresolved_count
    from resolved_names

)

select
    name_count,
    unresolved_count,
    {{ nba_props.safe_divide('unresolved_count', 'name_count') }} as unresolved_share
from share
where unresolved_count > {{ var('max_unresolved_name_share') }} * name_count
