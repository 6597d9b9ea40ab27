-- The share of distinct sportsbook player names that stay unresolved. Each name is
-- listed by the warning test unresolved_player_names; this test adds two levels:
--   above var('max_unresolved_name_share') (default 1%) it warns: a new season's first
--     days (players an older registry lacks, before their first box score) or a batch of
--     new spellings; the rest of the day is built and predicted.
--   above var('max_unresolved_name_share_error') (default 20%) it fails the build: name
--     resolution is broken (the registry was not loaded, a new spelling scheme, a feed
--     change), and most of the day's lines would be lost.
{{ config(fail_calc='coalesce(max(breach_level), 0)', warn_if='>=1', error_if='>=2') }}
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
    {{ nba_props.safe_divide('unresolved_count', 'name_count') }} as unresolved_share,
    case
        when unresolved_count > {{ var('max_unresolved_name_share_error') }} * name_count then 2
        else 1
    end as breach_level
from share
where unresolved_count > {{ var('max_unresolved_name_share') }} * name_count
