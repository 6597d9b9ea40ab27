{#
    The natural key as one value that windows and joins can work on, with null parts
    comparing equal:
    - BigQuery: the key as a JSON string (to_json_string of a struct): BigQuery cannot
      partition by a FLOAT64 such as a prop's line, and JSON keeps every part apart (a
      null is `null`, a string is quoted and escaped), so no two keys share a text.
    - DuckDB: a struct of the key columns (nested nulls compare equal); building the
      string costs twice as much on millions of rows.
    - other engines: the parts cast to text and joined by '|', '~' for a null. A value
      holding '|' or equal to '~' could then meet another key's text.
#}
{% macro natural_key_text(key_columns, alias=none) -%}
    {{ return(adapter.dispatch('natural_key_text', 'nba_props')(key_columns, alias)) }}
{%- endmacro %}

{% macro default__natural_key_text(key_columns, alias=none) -%}
    {%- set parts = [] -%}
    {%- for name in nba_props.key_column_refs(key_columns, alias) -%}
        {%- if parts %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(cast(" ~ name ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {{ return(dbt.concat(parts)) }}
{%- endmacro %}

{% macro bigquery__natural_key_text(key_columns, alias=none) -%}
    {{ return('to_json_string(struct(' ~ nba_props.key_column_refs(key_columns, alias) | join(', ') ~ '))') }}
{%- endmacro %}

{% macro duckdb__natural_key_text(key_columns, alias=none) -%}
    {{ return('row(' ~ nba_props.key_column_refs(key_columns, alias) | join(', ') ~ ')') }}
{%- endmacro %}

{#
    The natural key as a value of one type whatever the key's columns, so that the keys of
    several tables can be stored and unioned (models/staging/raw_keys): null parts compare
    equal, and no two keys share a value.
    - BigQuery: the JSON string of natural_key_text.
    - DuckDB: the 128-bit md5 of the key as a JSON array (a null is `null`, a string is
      quoted, a double prints as its shortest exact form): a number that joins and
      groups faster than the text.
    - other engines: the '|'-joined text of natural_key_text.
#}
{% macro natural_key_value(key_columns, alias=none) -%}
    {{ return(adapter.dispatch('natural_key_value', 'nba_props')(key_columns, alias)) }}
{%- endmacro %}

{% macro default__natural_key_value(key_columns, alias=none) -%}
    {{ return(nba_props.default__natural_key_text(key_columns, alias)) }}
{%- endmacro %}

{% macro bigquery__natural_key_value(key_columns, alias=none) -%}
    {{ return(nba_props.bigquery__natural_key_text(key_columns, alias)) }}
{%- endmacro %}

{% macro duckdb__natural_key_value(key_columns, alias=none) -%}
    {{ return('md5_number(cast(json_array(' ~ nba_props.key_column_refs(key_columns, alias) | join(', ') ~ ') as varchar))') }}
{%- endmacro %}

{# The key columns quoted, each prefixed with `alias.` when one is given. #}
{% macro key_column_refs(key_columns, alias=none) -%}
    {%- set refs = [] -%}
    {%- for column in key_columns -%}
        {%- do refs.append((alias ~ '.' if alias else '') ~ adapter.quote(column)) -%}
    {%- endfor -%}
    {{ return(refs) }}
{%- endmacro %}
