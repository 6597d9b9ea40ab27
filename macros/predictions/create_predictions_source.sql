{#
    on-run-start hook: create the ML workers' predictions table (the source
    nba_predictions.player_prop_predictions) if it does not exist yet, with the columns and
    types its source YAML declares. The worker (nba_props.predict.store) creates the same
    table from the same contract; whichever runs first wins and the other is a no-op. A
    fresh warehouse therefore builds (grading on zero predictions) before any prediction.
#}
{% macro create_predictions_source() -%}
    {#- compile/show/docs render hooks too: they must not create anything (and offline
        BigQuery compiles have no connection). -#}
    {%- if not execute or flags.WHICH in ('compile', 'show', 'generate') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set matches = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == 'nba_predictions' and node.name == 'player_prop_predictions' -%}
            {%- do matches.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if matches | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set node = matches[0] -%}
    {%- set relation = api.Relation.create(
        database=node.database, schema=node.schema, identifier=node.identifier) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do columns.append(column.name ~ ' ' ~ nba_props.contract_data_type(column.data_type)) -%}
    {%- endfor -%}
    create table if not exists {{ relation }} ({{ columns | join(', ') }})
    {{- nba_props.predictions_source_layout() }}
{%- endmacro %}

{#- BigQuery: the layout the worker creates (nba_props/predict/contract.py,
    BIGQUERY_PARTITION and BIGQUERY_CLUSTER): one partition per game date, so the worker's
    MERGE of a date rewrites one partition; a pytest checks the two agree. -#}
{% macro predictions_source_layout() -%}
    {{ return(adapter.dispatch('predictions_source_layout', 'nba_props')()) }}
{%- endmacro %}

{% macro default__predictions_source_layout() -%}
    {{ return('') }}
{%- endmacro %}

{% macro bigquery__predictions_source_layout() -%}
    {{ return(' partition by game_date cluster by run_mode, system_id, market') }}
{%- endmacro %}

{# The warehouse spelling of a contract type written in DuckDB terms in the YAML. #}
{% macro contract_data_type(data_type) -%}
    {{ return(adapter.dispatch('contract_data_type', 'nba_props')(data_type)) }}
{%- endmacro %}

{% macro default__contract_data_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro bigquery__contract_data_type(data_type) -%}
    {%- set types = {
        'varchar': 'string', 'bigint': 'int64', 'double': 'float64', 'boolean': 'bool',
    } -%}
    {{ return(types.get(data_type | lower, data_type)) }}
{%- endmacro %}
