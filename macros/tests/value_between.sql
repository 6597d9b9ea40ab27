{# Fails with the rows whose value lies outside [min_value, max_value] (nulls pass). #}
{% test value_between(model, column_name, min_value=none, max_value=none) %}
    select *
    from {{ model }}
    where {{ column_name }} is not null
        and ({{ nba_props.outside_range(column_name, min_value, max_value) }})
{% endtest %}

{# `<column> < <min> or <column> > <max>`, for the bounds given; `false` with neither. #}
{% macro outside_range(column, min_value=none, max_value=none) -%}
    {%- set outside = [] -%}
    {%- if min_value is not none -%}
        {%- do outside.append(column ~ ' < ' ~ min_value) -%}
    {%- endif -%}
    {%- if max_value is not none -%}
        {%- do outside.append(column ~ ' > ' ~ max_value) -%}
    {%- endif -%}
    {{ return(outside | join(' or ') if outside else 'false') }}
{%- endmacro %}
