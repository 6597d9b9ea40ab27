{#
    The one place where a fact's physical layout is decided, per engine.

    BigQuery: incremental `merge` on the unique key, partitioned by day on the date
    column, clustered by the filter keys, with `incremental_predicates` so the merge
    only scans the look-back window of the target, and `require_partition_filter` on
    large tables. The merge is pruned to the window by `incremental_predicates` when
    the window is known at parse time (var start_date). DuckDB: `delete+insert` on the unique key; BigQuery-only options are
    never passed (a `partition_by` dict breaks dbt-duckdb).

    Use: {{ config(**nba_props.fact_config('game_date', ['player_id', 'game_id'], ['player_id'])) }}
#}
{% macro fact_config(date_column, unique_key, cluster_by=none, large=true, labels=none) -%}
    {%- set cfg = {
        'materialized': 'incremental',
        'unique_key': unique_key,
        'on_schema_change': 'append_new_columns',
    } -%}
    {%- if target.type == 'bigquery' -%}
        {%- do cfg.update({
            'incremental_strategy': 'merge',
            'partition_by': {'field': date_column, 'data_type': 'date', 'granularity': 'day'},
            'cluster_by': cluster_by or unique_key,
            'require_partition_filter': large,
            'labels': labels or {'layer': 'fact', 'product': 'nba_props'},
        }) -%}
        {#- Configs are fixed at parse time, so the merge can only be pruned by a window
            known then: the start_date var that `nba-props daily/backfill` always pass. -#}
        {%- if var('start_date', none) is not none -%}
            {%- do cfg.update({'incremental_predicates': [
                'DBT_INTERNAL_DEST.' ~ date_column ~ ' >= ' ~ nba_props.date_literal(var('start_date'))
            ]}) -%}
        {%- endif -%}
    {%- else -%}
        {%- do cfg.update({'incremental_strategy': 'delete+insert'}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}
