{#
    processor_execution_log (nba_monitoring): one row per dbt node run and per Python job
    (scrape, load, predict), tied together by one run id.

    - on-run-start: create_execution_log() creates the table (if missing) from its
      definition, nba_props/orchestrate/execution_log.py (EXECUTION_LOG, generated into
      table_schema() in macros/schemas/table_schemas.sql).
    - on-run-end: log_dbt_results(results) inserts one row per node of the invocation.
    - Python jobs insert through nba_props.orchestrate.execution_log (the same definition).

    The run id is NBA_PROPS_RUN_ID (set by the nba-props CLI for a whole pipeline run), or
    dbt's invocation id when dbt runs on its own.
#}

{% macro execution_log_source() -%}
    {%- for node in graph.sources.values()
        if node.source_name == 'nba_monitoring' and node.name == 'processor_execution_log' -%}
        {{ return(node) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{% macro execution_log_relation() -%}
    {%- set node = nba_props.execution_log_source() -%}
    {%- if node is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier)) }}
{%- endmacro %}

{% macro create_execution_log() -%}
    {#- compile/show/docs render hooks too: they must not create anything. -#}
    {%- if not execute or flags.WHICH in ('compile', 'show', 'generate') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set node = nba_props.execution_log_source() -%}
    {%- if node is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = nba_props.execution_log_relation() -%}
    {%- do adapter.create_schema(relation) -%}
    create table if not exists {{ relation }} ({{ nba_props.table_columns_ddl('processor_execution_log') }})
    {{- nba_props.table_layout('processor_execution_log') }}
    {{- nba_props.execution_log_table_options() }}
{%- endmacro %}

{% macro execution_log_table_options() -%}
    {{ return(adapter.dispatch('execution_log_table_options', 'nba_props')()) }}
{%- endmacro %}

{% macro default__execution_log_table_options() -%}
{%- endmacro %}

{#
    BigQuery: one partition per day of runs, clustered by run id (table_layout, from the
    Python definition). The log is disposable after var bq_log_retention_days (default 400):
    BigQuery drops older partitions itself.
#}
{% macro bigquery__execution_log_table_options() -%}
    {{ ' ' }}options (
        partition_expiration_days = {{ var('bq_log_retention_days', 400) | int }},
        labels = [("app", "nba_props"), ("layer", "monitoring"), ("model", "processor_execution_log")]
    )
{%- endmacro %}

{# The commands whose node results are logged (not compile, docs, ls, show, parse). #}
{% macro execution_log_commands() -%}
    {{ return(['build', 'run', 'test', 'seed', 'snapshot', 'freshness', 'retry']) }}
{%- endmacro %}

{% macro log_dbt_results(results) -%}
    {%- if not execute or flags.WHICH not in nba_props.execution_log_commands() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = nba_props.execution_log_relation() -%}
    {%- if relation is none -%}
        {{ return('') }}
    {%- endif -%}
    {#- Idempotent; covers commands that ran without the on-run-start hook's table. -#}
    {%- do run_query(nba_props.create_execution_log()) -%}
    {%- set run_id = env_var('NBA_PROPS_RUN_ID', invocation_id) -%}
    {%- set logged_at = modules.datetime.datetime.now(modules.pytz.utc).strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- set counted = nba_props.execution_log_row_counts(results) -%}
    {%- set rows = [] -%}
    {%- for result in results if result.node.resource_type != 'operation' -%}
        {%- set node = result.node -%}
        {%- set status = result.status | string -%}
        {%- set response = result.adapter_response or {} -%}
        {%- set timing = result.timing | list -%}
        {%- set message = result.message if status not in ('success', 'pass') else none -%}
        {%- set detail = node.relation_name if node.relation_name is defined else none -%}
        {%- if node.resource_type == 'source' and result.max_loaded_at is defined -%}
            {%- set age_hours = (result.age / 3600) | round(1) if result.age is not none else none -%}
            {%- set detail = tojson({
                'relation': node.relation_name,
                'max_loaded_at': result.max_loaded_at | string,
                'age_hours': age_hours,
            }) -%}
            {%- if status != 'pass' and not message -%}
                {%- set message = 'newest row loaded ' ~ (
                    'never' if result.max_loaded_at.year < 1900 else (age_hours ~ ' hours ago')
                ) ~ nba_props.freshness_sla_text(node.freshness) -%}
            {%- endif -%}
        {%- endif -%}
        {%- do rows.append({
            'run_id': nba_props.sql_text(run_id),
            'job_type': nba_props.sql_text('dbt'),
            'job_name': nba_props.sql_text(node.unique_id),
            'resource_type': nba_props.sql_text(node.resource_type | string),
            'status': nba_props.sql_text(status),
            'rows_affected': nba_props.sql_number(response.get('rows_affected', counted.get(node.unique_id))),
            'failures': nba_props.sql_number(result.failures),
            'bytes_processed': nba_props.sql_number(response.get('bytes_processed')),
            'started_at': nba_props.sql_timestamp(timing[0].started_at if timing else none),
            'finished_at': nba_props.sql_timestamp(timing[-1].completed_at if timing else none),
            'duration_seconds': nba_props.sql_number(result.execution_time),
            'error_message': nba_props.sql_text(message[:4000] if message else none),
            'invocation_id': nba_props.sql_text(invocation_id),
            'command': nba_props.sql_text('dbt ' ~ flags.WHICH),
            'target_name': nba_props.sql_text(target.name),
            'detail': nba_props.sql_text(detail),
            'logged_at': nba_props.sql_timestamp(logged_at),
        }) -%}
    {%- endfor -%}
    {#- The table's columns, in its definition's order (a column dbt does not fill is null). -#}
    {%- set columns = [] -%}
    {%- for name, data_type in nba_props.table_schema('processor_execution_log').columns -%}
        {%- do columns.append(name) -%}
    {%- endfor -%}
    {#- Batches keep each statement well under BigQuery's query-size limit. -#}
    {%- for batch in rows | batch(200) -%}
        {%- set values = [] -%}
        {%- for row in batch -%}
            {%- set cells = [] -%}
            {%- for name in columns -%}
                {%- do cells.append(row.get(name, 'null')) -%}
            {%- endfor -%}
            {%- do values.append('(' ~ cells | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- do run_query(
            'insert into ' ~ relation ~ ' (' ~ columns | join(', ') ~ ') values '
            ~ values | join(',\n')
        ) -%}
    {%- endfor -%}
    {%- if rows -%}
        {%- do log('processor_execution_log: ' ~ rows | length ~ ' dbt results logged for run ' ~ run_id, info=true) -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{# "; warn after 24 hour, error after 72 hour" from a source's freshness config. #}
{% macro freshness_sla_text(freshness) -%}
    {%- set parts = [] -%}
    {%- for level in ['warn_after', 'error_after'] -%}
        {%- set threshold = freshness[level] if freshness else none -%}
        {%- if threshold and threshold.count -%}
            {%- do parts.append(level | replace('_', ' ') ~ ' ' ~ threshold.count ~ ' ' ~ threshold.period) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(('; ' ~ parts | join(', ')) if parts else '') }}
{%- endmacro %}

{#
    Rows of the nodes whose adapter does not report rows_affected (dbt-duckdb): the row
    count of each table the run built, {unique_id: rows}, from one query for all of them.
    Views, tests and failed nodes have none.
#}
{% macro execution_log_row_counts(results) -%}
    {{ return(adapter.dispatch('execution_log_row_counts', 'nba_props')(results)) }}
{%- endmacro %}

{% macro default__execution_log_row_counts(results) -%}
    {{ return({}) }}
{%- endmacro %}

{% macro duckdb__execution_log_row_counts(results) -%}
    {%- set counts = [] -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {%- if (result.status | string) == 'success' and node.resource_type in ('model', 'seed', 'snapshot')
            and node.config.materialized not in ('view', 'ephemeral') and node.relation_name -%}
            {%- do counts.append('select ' ~ nba_props.sql_text(node.unique_id) ~ ', count(*) from ' ~ node.relation_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not counts -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set counted = run_query(counts | join(' union all ')) -%}
    {%- set by_node = {} -%}
    {%- for row in counted.rows -%}
        {%- do by_node.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(by_node) }}
{%- endmacro %}

{# SQL literals for values built in Jinja (the on-run-end hook cannot bind parameters). #}
{% macro sql_text(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- endif -%}
    {{ return(adapter.dispatch('sql_text', 'nba_props')(value | string)) }}
{%- endmacro %}

{% macro default__sql_text(value) -%}
    {{ return("'" ~ value.replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro bigquery__sql_text(value) -%}
    {%- set escaped = value.replace('\\', '\\\\').replace("'", "\\'").replace('\n', '\\n').replace('\r', '\\r') -%}
    {{ return("'" ~ escaped ~ "'") }}
{%- endmacro %}

{% macro sql_number(value) -%}
    {%- if value is none or value is string -%}
        {{ return('null') }}
    {%- endif -%}
    {{ return(value | string) }}
{%- endmacro %}

{% macro sql_timestamp(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- endif -%}
    {%- if value is not string -%}
        {%- set value = value.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- endif -%}
    {{ return('cast(' ~ nba_props.sql_text(value) ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}
