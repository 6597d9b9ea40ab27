{#
    The values of a column over a group, as an array ordered by `order_by`, in an
    aggregate; rows whose `present` condition is false are left out (so that several
    arrays of one group stay aligned). BigQuery arrays cannot hold nulls: pass non-null
    values (coalesce them).
#}
{% macro ordered_array(column, order_by, present) -%}
    {{ return(adapter.dispatch('ordered_array', 'nba_props')(column, order_by, present)) }}
{%- endmacro %}

{% macro default__ordered_array(column, order_by, present) -%}
    array_agg(case when {{ present }} then {{ column }} end ignore nulls order by {{ order_by }})
{%- endmacro %}

{% macro duckdb__ordered_array(column, order_by, present) -%}
    list({{ column }} order by {{ order_by }}) filter (where {{ present }})
{%- endmacro %}
