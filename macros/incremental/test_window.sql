{#
    Global override of dbt's get_where_subquery (what a data test reads: the run's window,
    a partition filter on BigQuery): documented in _incremental__macros.yml.
#}
{% macro default__get_where_subquery(relation) -%}
    {{ return(nba_props.test_relation(relation, none)) }}
{%- endmacro %}

{% macro bigquery__get_where_subquery(relation) -%}
    {{ return(nba_props.test_relation(relation, nba_props.required_partition_column(relation))) }}
{%- endmacro %}

{% macro test_relation(relation, partition_column) -%}
    {%- set filters = [] -%}
    {%- set window = nba_props.test_window_filter(relation) -%}
    {%- if window -%}
        {%- do filters.append(window) -%}
    {%- elif partition_column -%}
        {%- do filters.append(nba_props.all_partitions(partition_column)) -%}
    {%- endif -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if filters -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ filters | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The run's window on the model's meta.nba_props_window_column when the run names one, else ''. -#}
{% macro test_window_filter(relation) -%}
    {%- if nba_props.incremental_window(none, kind='bounds')['start'] is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set node = nba_props.model_node_for(relation) -%}
    {%- set column = ((node.config.get('meta') or {}).get('nba_props_window_column')) if node else none -%}
    {{ return(nba_props.incremental_window(column) if column else '') }}
{%- endmacro %}

{# The partition column of a model built with require_partition_filter, else none. #}
{% macro required_partition_column(relation) -%}
    {%- set node = nba_props.model_node_for(relation) -%}
    {%- if node is none or not node.config.get('require_partition_filter') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set partition_by = node.config.get('partition_by') or {} -%}
    {{ return(partition_by.get('field')) }}
{%- endmacro %}

{# The model node a relation was built from (matched on schema and name), else none. #}
{% macro model_node_for(relation) -%}
    {%- if not execute or relation is none or relation.identifier is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
        {%- if (node.alias or node.name) == relation.identifier and node.schema == relation.schema -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
