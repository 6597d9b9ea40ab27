{#
    on-run-start hook: create the ML workers' predictions table (the source
    nba_predictions.player_prop_predictions) if it does not exist yet, with the columns,
    types and BigQuery layout of its contract (nba_props/predict/contract.py, generated into
    table_schema() in macros/schemas/table_schemas.sql). The worker (nba_props.predict.store)
    creates the same table from the same contract; whichever runs first wins and the other
    is a no-op. A fresh warehouse therefore builds (grading on zero predictions) before any
    prediction.
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
    create table if not exists {{ relation }} ({{ nba_props.table_columns_ddl('player_prop_predictions') }})
    {{- nba_props.table_layout('player_prop_predictions') }}
{%- endmacro %}
