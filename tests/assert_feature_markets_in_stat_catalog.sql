-- Every market of the prop_markets seed settles on a stat the feature layer computes
-- (nba_props.prop_stat_expressions); otherwise its stat_* features would be empty.
with

markets as (

    select * from {{ ref('prop_markets') }}

)

select *
from markets
where stat_column not in (
    {%- for stat in nba_props.prop_stat_expressions() %}
    '{{ stat }}'{{ ',' if not loop.last }}
    {%- endfor %}
)
