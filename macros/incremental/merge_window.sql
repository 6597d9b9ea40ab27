{#
    Global override of dbt's BigQuery MERGE (the merge of the incremental facts, pruned to
    the partitions it writes): documented in _incremental__macros.yml.
#}
{% macro bigquery__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
    {%- set predicates = [] + (incremental_predicates or []) -%}
    {%- set window_column = (config.get('meta') or {}).get('nba_props_merge_window') -%}
    {%- if window_column -%}
        {%- do predicates.append(nba_props.merge_window_predicate(source, window_column)) -%}
    {%- endif -%}
    {{ return(dbt.default__get_merge_sql(target, source, unique_key, dest_columns, predicates)) }}
{%- endmacro %}

{% macro merge_window_predicate(source, column) -%}
    {%- set bounds_sql -%}
        select
            cast(min({{ column }}) as string) as first_date,
            cast(max({{ column }}) as string) as last_date
        from {{ source }} as new_rows
        where {{ column }} >= {{ nba_props.date_literal(nba_props.window_floor()) }}
    {%- endset -%}
    {%- set first_date, last_date = nba_props.window_floor(), nba_props.window_floor() -%}
    {%- if execute -%}
        {%- set row = run_query(bounds_sql).rows[0] -%}
        {%- if row[0] is not none -%}
            {%- set first_date, last_date = row[0], row[1] -%}
        {%- endif -%}
    {%- endif -%}
    {{ return('DBT_INTERNAL_DEST.' ~ column ~ ' between ' ~ nba_props.date_literal(first_date)
        ~ ' and ' ~ nba_props.date_literal(last_date)) }}
{%- endmacro %}
