{#
    materialized='nba_materialized_view': a BigQuery materialized view where the target is
    BigQuery, a view (or a table) everywhere else.

    Configure it with nba_props.mv_config (macros/bigquery/mv_config.sql), which sets the
    materialization, the refresh settings and, on BigQuery only, partitioning and labels:

        {{ config(**nba_props.mv_config(
            partition_by={'field': 'game_date', 'data_type': 'date'},
            cluster_by=['game_id'],
            non_incremental=true,          {# window functions, outer joins, ... #}
            max_staleness_minutes=240,
            refresh_interval_minutes=60,
        )) }}

    Why not dbt-bigquery's own `materialized_view`: dbt-bigquery 1.12 cannot set
    `allow_non_incremental_definition`, which BigQuery requires for any definition with window
    functions, outer joins or UNION (the three MVs of this project have them). This one can,
    and it never rebuilds an unchanged MV: the definition and options are fingerprinted into
    the label `nba_mv_fingerprint`; a run with the same fingerprint leaves the MV (and its
    refresh state) alone, a different one replaces it (`create or replace`, since
    allow_non_incremental_definition cannot be altered). --full-refresh always replaces it.
#}
{% materialization nba_materialized_view, adapter='bigquery' -%}
    {%- set target_relation = this.incorporate(type='materialized_view') -%}
    {%- set existing_relation = load_cached_relation(this) -%}

    {%- set options = nba_props.bq_mv_options() -%}
    {%- set raw_partition_by = config.get('partition_by', none) -%}
    {%- set partition_config = adapter.parse_partition_by(raw_partition_by) -%}
    {%- set raw_cluster_by = config.get('cluster_by', none) -%}
    {%- set fingerprint = local_md5(sql ~ '|' ~ (options | tojson) ~ '|'
        ~ (raw_partition_by | tojson) ~ '|' ~ (raw_cluster_by | tojson))[:24] -%}
    {%- do options['labels'].update({'nba_mv_fingerprint': fingerprint}) -%}

    {%- set action = 'create' -%}
    {%- if existing_relation is not none -%}
        {%- if existing_relation.type != 'materialized_view' or should_full_refresh() -%}
            {%- set action = 'replace' -%}
        {%- else -%}
            {%- set table = adapter.get_bq_table(existing_relation) -%}
            {%- set current = (table.labels or {}).get('nba_mv_fingerprint') if table is not none else none -%}
            {%- set action = 'keep' if current == fingerprint else 'replace' -%}
        {%- endif -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks) }}

    {%- if action == 'replace' and existing_relation is not none
            and existing_relation.type != 'materialized_view' -%}
        {#- A table or view of the same name (e.g. built before the switch): drop it first. -#}
        {%- do adapter.drop_relation(existing_relation) -%}
        {%- set action = 'create' -%}
    {%- endif -%}

    {%- call statement('main') -%}
        {%- if action == 'keep' -%}
            select 'unchanged: {{ target_relation }}' as nba_materialized_view
        {%- else -%}
            {{ nba_props.bq_create_materialized_view_sql(
                target_relation, sql, partition_config, raw_cluster_by, options,
                replace=(action == 'replace')) }}
        {%- endif -%}
    {%- endcall -%}

    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}


{#- Elsewhere (DuckDB): a view, or a table with mv_config(fallback='table'). -#}
{% materialization nba_materialized_view, default -%}
    {%- if nba_props.mv_setting('fallback', 'view') == 'table' -%}
        {{ return(dbt.materialization_table_default()) }}
    {%- else -%}
        {{ return(dbt.materialization_view_default()) }}
    {%- endif -%}
{%- endmaterialization %}


{% macro bq_create_materialized_view_sql(relation, sql, partition_config, cluster_by_config, options, replace=false) -%}
    create {{ 'or replace ' if replace }}materialized view {{ relation }}
    {{ partition_by(partition_config) }}
    {{ cluster_by(cluster_by_config) }}
    options (
    {%- for name, value in options.items() if value is not none %}
        {%- if name == 'labels' %}
        labels = [{% for k, v in value.items() %}("{{ k }}", "{{ v }}"){{ ', ' if not loop.last }}{% endfor %}]
        {%- else %}
        {{ name }} = {{ value }}
        {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
    )
    as {{ sql }}
{%- endmacro %}
