{#
    Data tests on facts with require_partition_filter (fact_config large=true).

    BigQuery refuses any query on such a table without a filter on its partition column, and
    dbt's generic tests (not_null, unique, relationships, the project's own) select from the
    model directly. On BigQuery this wraps such a model, like a test's `where` config does,
    in `(select * from <model> where (<col> is null or <col> is not null) [and <where>])`:
    the same predicate dbt-bigquery's merge uses to satisfy the rule, keeping every row
    (null dates included), so each test still checks the whole table. DuckDB is untouched
    (dbt's default__get_where_subquery).

    Singular tests (tests/*.sql) that select from such a fact must carry a filter on its
    date column themselves; nba_props.bq_checks lists them.
#}
{% macro bigquery__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set partition_column = nba_props.required_partition_column(relation) -%}
    {%- if partition_column -%}
        {%- set keep_all = '(' ~ partition_column ~ ' is null or ' ~ partition_column ~ ' is not null)' -%}
        {%- set where = keep_all ~ (' and (' ~ where ~ ')' if where else '') -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{# The partition column of a model built with require_partition_filter, else none. #}
{% macro required_partition_column(relation) -%}
    {%- if not execute or relation is none or relation.identifier is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
        {%- if (node.alias or node.name) == relation.identifier and node.schema == relation.schema
                and node.config.get('require_partition_filter') -%}
            {%- set partition_by = node.config.get('partition_by') or {} -%}
            {{ return(partition_by.get('field')) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
