{#
    Minutes (fractional) from 00:00 UTC of a date to a timestamp: the clock time of the
    timestamp on that date's axis (negative before it, above 1440 on the next day). The ML
    readers compare versions' valid_from / valid_to in these units with "HH:MM on the game
    date" (a lead-time backtest), with a plain number instead of engine date arithmetic.
#}
{% macro minutes_after_midnight(timestamp_expr, date_expr) -%}
    {{ return(adapter.dispatch('minutes_after_midnight', 'nba_props')(timestamp_expr, date_expr)) }}
{%- endmacro %}

{% macro default__minutes_after_midnight(timestamp_expr, date_expr) -%}
    ((epoch({{ timestamp_expr }}) - epoch(cast({{ date_expr }} as timestamp))) / 60.0)
{%- endmacro %}

{% macro bigquery__minutes_after_midnight(timestamp_expr, date_expr) -%}
    (timestamp_diff({{ timestamp_expr }}, timestamp({{ date_expr }}), microsecond) / 60000000.0)
{%- endmacro %}
