{#
    The median of an expression, as an aggregate. BigQuery has no exact median aggregate
    (percentile_cont is analytic only there): approx_quantiles with 100 buckets is within
    1% of the rank, plenty for a baseline.
#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'nba_props')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro bigquery__median(expression) -%}
    approx_quantiles({{ expression }}, 100)[offset(50)]
{%- endmacro %}
