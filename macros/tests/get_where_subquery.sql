{#
    What a data test reads: dbt wraps the tested model in get_where_subquery. Two additions
    to dbt's default (the test's `where` config):

    1. The run's window. When a run names an incremental window (var or env start_date, as
       `nba-props daily` and `backfill` do), the tests of facts built with fact_config
       (meta.nba_props_window_column) check only the rows of that window: the rows the run
       wrote. Older rows were checked when they were written, and a full build or
       `dbt build` without a window still checks every row. Relationship tests filter the
       child side only; singular tests (tests/*.sql) are not filtered.

    2. BigQuery, facts with require_partition_filter (fact_config large=true): the engine
       refuses a query without a filter on the partition column, so with no window the
       model is read through `(<col> is null or <col> is not null)`: every row (null dates
       included), and still a partition filter. Singular tests that select from such a
       fact carry a filter on its date column themselves; nba_props.bq_checks lists them.
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
        {%- do filters.append('(' ~ partition_column ~ ' is null or ' ~ partition_column ~ ' is not null)') -%}
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

{# `<date column> >= <start> [and <= <end>]` for a fact under a named window, else ''. #}
{% macro test_window_filter(relation) -%}
    {%- if nba_props.window_bound('start_date') is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set node = nba_props.model_node_for(relation) -%}
    {%- set column = ((node.config.get('meta') or {}).get('nba_props_window_column')) if node else none -%}
    {{ return(nba_props.test_window(column) if column else '') }}
{%- endmacro %}

{#
    For singular tests on a fact: the run's window on its date column, or every row
    (all_partitions, a partition filter on BigQuery) when the run names no window.
#}
{% macro test_window(date_column) -%}
    {%- set start = nba_props.window_bound('start_date') -%}
    {%- if start is none -%}
        {{ return(nba_props.all_partitions(date_column)) }}
    {%- endif -%}
    {%- set filter = date_column ~ ' >= ' ~ nba_props.date_literal(start) -%}
    {%- set end = nba_props.window_bound('end_date') -%}
    {%- if end is not none -%}
        {%- set filter = filter ~ ' and ' ~ date_column ~ ' <= ' ~ nba_props.date_literal(end) -%}
    {%- endif -%}
    {{ return(filter) }}
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
