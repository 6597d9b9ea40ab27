{#
    BigQuery MERGE pruned to the partitions it writes.

    dbt-bigquery's merge compares every target row with the new rows (or, with
    require_partition_filter, adds `(col is null or col is not null)`, which satisfies the
    rule but still scans every partition). For facts from fact_config (they carry
    meta.nba_props_merge_window = their partition column) this reads the first and last
    date of the new rows from dbt's temp table, then adds

        DBT_INTERNAL_DEST.<col> between cast('<first>' as date) and cast('<last>' as date)

    to the ON clause. The bounds are constants, so BigQuery prunes the target to those
    partitions, and the merge stays exact: no new row lies outside them. With no new rows
    (a day without games) the bounds are one empty day and nothing is scanned or written.
    Any other merge is left as dbt-bigquery writes it.
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
        where {{ column }} >= {{ nba_props.date_literal('1900-01-01') }}
    {%- endset -%}
    {%- set first_date, last_date = '1900-01-01', '1900-01-01' -%}
    {%- if execute -%}
        {%- set row = run_query(bounds_sql).rows[0] -%}
        {%- if row[0] is not none -%}
            {%- set first_date, last_date = row[0], row[1] -%}
        {%- endif -%}
    {%- endif -%}
    {{ return('DBT_INTERNAL_DEST.' ~ column ~ ' between ' ~ nba_props.date_literal(first_date)
        ~ ' and ' ~ nba_props.date_literal(last_date)) }}
{%- endmacro %}
