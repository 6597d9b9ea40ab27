{#
    Config of a materialized view model (materialization nba_materialized_view):

        {{ config(**nba_props.mv_config(
            partition_by={'field': 'game_date', 'data_type': 'date'},
            cluster_by=['game_id'],
            non_incremental=true,
            max_staleness_minutes=240,
        )) }}

    BigQuery rules it encodes (https://cloud.google.com/bigquery/docs/materialized-views-intro):
    - an incremental MV (the default kind) allows inner joins and aggregates only: no window
      functions, outer joins, UNION, HAVING, ... Such a definition needs non_incremental=true,
      which BigQuery only accepts together with max_staleness (here max_staleness_minutes,
      required then), and which cannot be changed after creation (the materialization
      replaces the MV when it changes);
    - partition the MV like its base table (same column and granularity), or not at
      all; cluster on up to four columns;
    - the definition reads base tables (tables, incremental facts, seeds, sources), never
      a logical view or another MV: on BigQuery, ref() a table-materialized model.
    - refresh: enable_refresh (default true) every refresh_interval_minutes (default 60,
      BigQuery's minimum is 1, maximum 10080).

    On DuckDB only materialized='nba_materialized_view' and meta.nba_props_mv.fallback ('view'
    or 'table') are set; BigQuery-only keys are never passed (a partition_by dict breaks
    dbt-duckdb).
#}
{% macro mv_config(partition_by=none, cluster_by=none, non_incremental=false, max_staleness_minutes=none,
                   enable_refresh=true, refresh_interval_minutes=60, labels=none, fallback='view') -%}
    {#- Settings of the materialization live under meta.nba_props_mv (dbt warns on unknown
        top-level config keys). -#}
    {%- set cfg = {'materialized': 'nba_materialized_view'} -%}
    {%- if target.type != 'bigquery' -%}
        {%- do cfg.update({'meta': {'nba_props_mv': {'fallback': fallback}}}) -%}
        {{ return(cfg) }}
    {%- endif -%}
    {%- if non_incremental and max_staleness_minutes is none -%}
        {{ exceptions.raise_compiler_error(
            'mv_config: non_incremental=true needs max_staleness_minutes (BigQuery requires '
            ~ 'max_staleness with allow_non_incremental_definition)') }}
    {%- endif -%}
    {%- if cluster_by is not none and (cluster_by | length) > 4 -%}
        {{ exceptions.raise_compiler_error('mv_config: BigQuery clusters on at most 4 columns') }}
    {%- endif -%}
    {%- do cfg.update({
        'meta': {'nba_props_mv': {
            'non_incremental': non_incremental,
            'max_staleness_minutes': max_staleness_minutes,
            'enable_refresh': enable_refresh,
            'refresh_interval_minutes': refresh_interval_minutes,
        }},
        'labels': nba_props.bq_labels('materialized_view', labels),
    }) -%}
    {%- if partition_by is not none -%}
        {%- do cfg.update({'partition_by': partition_by}) -%}
    {%- endif -%}
    {%- if cluster_by is not none -%}
        {%- do cfg.update({'cluster_by': cluster_by}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}

{% macro mv_setting(name, default=none) -%}
    {%- set settings = (config.get('meta') or {}).get('nba_props_mv') or {} -%}
    {%- set value = settings.get(name) -%}
    {{ return(default if value is none else value) }}
{%- endmacro %}

{# The OPTIONS of the CREATE MATERIALIZED VIEW statement, as SQL literals, in a fixed order. #}
{% macro bq_mv_options() -%}
    {%- set options = {} -%}
    {%- set enable_refresh = nba_props.mv_setting('enable_refresh', true) -%}
    {%- do options.update({'enable_refresh': 'true' if enable_refresh else 'false'}) -%}
    {%- if enable_refresh -%}
        {%- do options.update({'refresh_interval_minutes': nba_props.mv_setting('refresh_interval_minutes', 60) | int}) -%}
    {%- endif -%}
    {%- set staleness = nba_props.mv_setting('max_staleness_minutes') -%}
    {%- if staleness is not none -%}
        {%- set minutes = staleness | int -%}
        {%- do options.update({'max_staleness':
            'interval "' ~ (minutes // 60) ~ ':' ~ (minutes % 60) ~ ':0" hour to second'}) -%}
    {%- endif -%}
    {%- if nba_props.mv_setting('non_incremental', false) -%}
        {%- do options.update({'allow_non_incremental_definition': 'true'}) -%}
    {%- endif -%}
    {%- if model.description -%}
        {%- do options.update({'description': '"' ~ (model.description | replace('\\', '\\\\')
            | replace('"', '\\"') | replace('\n', ' ')) ~ '"'}) -%}
    {%- endif -%}
    {%- do options.update({'labels': dict(config.get('labels') or {})}) -%}
    {{ return(options) }}
{%- endmacro %}
