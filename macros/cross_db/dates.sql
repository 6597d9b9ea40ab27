{# Date helpers whose SQL differs between DuckDB and BigQuery. #}

{# date +/- whole days; `days` may be a column or a literal. #}
{% macro add_days(date_expr, days) -%}
    {{ return(adapter.dispatch('add_days', 'nba_props')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, days) -%}
    cast(({{ date_expr }}) + cast({{ days }} as integer) as date)
{%- endmacro %}

{% macro bigquery__add_days(date_expr, days) -%}
    date_add({{ date_expr }}, interval cast({{ days }} as int64) day)
{%- endmacro %}

{# whole days from start to end (end - start). #}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'nba_props')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    date_diff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}

{% macro bigquery__days_between(start_date, end_date) -%}
    date_diff({{ end_date }}, {{ start_date }}, day)
{%- endmacro %}

{#
    The US game date of a UTC tip-off time. NBA games start between 12:00 and 22:30
    US Eastern, so shifting by six hours lands every tip-off on its local calendar day
    without a time-zone database.
#}
{% macro game_date_from_utc(timestamp_expr) -%}
    {{ return(adapter.dispatch('game_date_from_utc', 'nba_props')(timestamp_expr)) }}
{%- endmacro %}

{% macro default__game_date_from_utc(timestamp_expr) -%}
    cast({{ timestamp_expr }} - interval 6 hour as date)
{%- endmacro %}

{% macro bigquery__game_date_from_utc(timestamp_expr) -%}
    date(timestamp_sub({{ timestamp_expr }}, interval 6 hour))
{%- endmacro %}

{# A date literal that both engines read. #}
{% macro date_literal(value) -%}
    cast('{{ value }}' as date)
{%- endmacro %}
