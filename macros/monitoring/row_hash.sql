{#
    A hash of every data column of a raw relation (the loader's _-prefixed columns left out),
    as an expression on its rows. Columns are read from the warehouse at run time; at parse
    time (or before the loader has created the table) a constant stands in.
#}
{% macro row_hash(relation, alias=none) -%}
    {%- if not execute -%}
        {{ return("''") }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) if not column.name.startswith('_') -%}
        {%- if parts %}{% do parts.append("'|'") %}{% endif -%}
        {%- set name = (alias ~ '.' if alias else '') ~ adapter.quote(column.name) -%}
        {%- do parts.append("coalesce(cast(" ~ name ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {%- if not parts -%}
        {{ return("''") }}
    {%- endif -%}
    {{ return(dbt.hash(dbt.concat(parts))) }}
{%- endmacro %}
