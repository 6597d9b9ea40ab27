{#
    The one place where a fact's physical layout is decided, per engine.

    BigQuery: incremental `merge` on the unique key into a table partitioned by day on the
    date column, clustered by the filter keys, labelled for cost attribution, with
    `require_partition_filter` on large tables and `partition_expiration_days` where the data
    is disposable. The merge is pruned to the partitions of the rows being written: at run
    time `bigquery__get_merge_sql` (macros/bigquery/merge_window.sql) reads the date range of
    the new rows and adds `DBT_INTERNAL_DEST.<date_column> between <first> and <last>` (two
    constants, so BigQuery prunes) to the merge's ON clause. That is exact whatever window the
    model used (incremental_window_filter, feature_window_filter, a start_date backfill), and
    a run with no new rows (a day without games) touches no partition. Why merge rather than
    insert_overwrite: see docs/bigquery.md.

    DuckDB: `delete+insert` on the unique key; BigQuery-only options are never passed (a
    `partition_by` dict breaks dbt-duckdb).

    Use: {{ config(**nba_props.fact_config('game_date', ['player_id', 'game_id'], ['player_id'])) }}

    - large: require a partition filter on every query of the table (var
      bq_require_partition_filter=false turns it off, for emulators that cannot enforce it);
    - expiration_days: partition_expiration_days, for disposable data only (partitions older
      than that many days from today are deleted by BigQuery);
    - labels: extra table labels; `app`, `layer` and `model` are always set;
    - replace_window: a pre-hook deletes the incremental window (incremental_window_filter)
      before it is written again, so rows that are no longer produced (a line the book
      pulled, a re-resolved name) do not linger; DuckDB then appends instead of deleting
      by key. The model must select exactly that window.

    meta.nba_props_window_column names the date column for the tests: when a run names a
    window (start_date), a fact's data tests check only that window (get_where_subquery).
#}
{% macro fact_config(date_column, unique_key, cluster_by=none, large=true, labels=none, expiration_days=none, replace_window=false) -%}
    {%- set cfg = {
        'materialized': 'incremental',
        'unique_key': unique_key,
        'on_schema_change': 'append_new_columns',
        'meta': {'nba_props_window_column': date_column},
    } -%}
    {%- if replace_window -%}
        {#- Delete the whole window first, then write it: rows no longer produced go too. -#}
        {%- do cfg.update({'pre_hook': "{{ nba_props.delete_incremental_window('" ~ date_column ~ "') }}"}) -%}
    {%- endif -%}
    {%- if target.type == 'bigquery' -%}
        {%- do cfg.update({
            'incremental_strategy': 'merge',
            'partition_by': {'field': date_column, 'data_type': 'date', 'granularity': 'day'},
            'cluster_by': cluster_by or unique_key,
            'require_partition_filter': large and (var('bq_require_partition_filter', true) | string | lower == 'true'),
            'labels': nba_props.bq_labels('fact', labels),
            'meta': {'nba_props_merge_window': date_column, 'nba_props_window_column': date_column},
        }) -%}
        {%- if expiration_days is not none -%}
            {%- do cfg.update({'partition_expiration_days': expiration_days | int}) -%}
        {%- endif -%}
    {%- else -%}
        {#- A replaced window needs no per-key delete: the pre-hook emptied it. -#}
        {%- do cfg.update({'incremental_strategy': 'append' if replace_window else 'delete+insert'}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}
