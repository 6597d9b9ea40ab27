{#
    DDL of the tables Python writers own and dbt hooks create too (the predictions table, the
    run log): built from table_schema() (macros/schemas/table_schemas.sql, generated from
    the Python definitions by `python -m nba_props.schemas generate`), so both create the
    same table on either engine.
#}

{#- The column definitions of a table_schema() table, in the target's type spelling. -#}
{% macro table_columns_ddl(table_name) -%}
    {%- set columns = [] -%}
    {%- for name, data_type in nba_props.table_schema(table_name).columns -%}
        {%- do columns.append(name ~ ' ' ~ nba_props.contract_data_type(data_type)) -%}
    {%- endfor -%}
    {{ return(columns | join(', ')) }}
{%- endmacro %}

{#- BigQuery: the layout the Python writer creates (table_schema(): bigquery_partition and
    bigquery_cluster), e.g. one partition per game date for the predictions, so the
    worker's MERGE of a date rewrites one partition. Elsewhere nothing. -#}
{% macro table_layout(table_name) -%}
    {{ return(adapter.dispatch('table_layout', 'nba_props')(table_name)) }}
{%- endmacro %}

{% macro default__table_layout(table_name) -%}
    {{ return('') }}
{%- endmacro %}

{% macro bigquery__table_layout(table_name) -%}
    {%- set schema = nba_props.table_schema(table_name) -%}
    {{ return(' partition by ' ~ schema.bigquery_partition
        ~ ' cluster by ' ~ schema.bigquery_cluster | join(', ')) }}
{%- endmacro %}

{# The warehouse spelling of a contract type written in DuckDB terms. #}
{% macro contract_data_type(data_type) -%}
    {{ return(adapter.dispatch('contract_data_type', 'nba_props')(data_type)) }}
{%- endmacro %}

{% macro default__contract_data_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro bigquery__contract_data_type(data_type) -%}
    {{ return(nba_props.bigquery_type_map().get(data_type | lower, data_type)) }}
{%- endmacro %}
