{# `left.c = right.c and ...` for every column: an equi-join on several key columns. #}
{% macro entity_join(left, right, entity_columns) -%}
    {%- for column in entity_columns %}{% if not loop.first %} and {% endif %}{{ left }}.{{ column }} = {{ right }}.{{ column }}{% endfor -%}
{%- endmacro %}
