{#
    The bounds of a named incremental window: var('start_date') / var('end_date'), else the
    environment variables NBA_PROPS_START_DATE / NBA_PROPS_END_DATE, else none (the
    window then starts at the newest date in the target minus lookback_days).

    The orchestrator (nba-props daily / backfill) passes the window through the
    environment: dbt re-parses the whole project whenever --vars change (4 s here), but
    only the few files that read an environment variable when it changes.
#}
{% macro window_bound(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none -%}
        {%- set value = env_var('NBA_PROPS_' ~ name | upper, '') or none -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
