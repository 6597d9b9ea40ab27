{#
    Production and the embedded DuckDB target use the dataset names consumers know
    (nba_analytics, nba_precompute, ...). Other BigQuery targets (development) get them
    prefixed with the target's dataset, e.g. dbt_jane_nba_analytics.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.type == 'duckdb' or target.name in ('prod', 'production', 'emulator') -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
