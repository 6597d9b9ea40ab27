{# The window's settings, its sentinel date and its date parsing: documented in _incremental__macros.yml. #}

{% macro incremental_window_bound(name) -%}
    {%- if name not in ('start_date', 'end_date') -%}
        {{ exceptions.raise_compiler_error('incremental_window_bound: start_date or end_date, not ' ~ name) }}
    {%- endif -%}
    {%- set value = var(name) -%}
    {%- if value is none -%}
        {%- set value = env_var('NBA_PROPS_' ~ name | upper, '') or none -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro window_floor() -%}
    {{ return('1900-01-01') }}
{%- endmacro %}

{% macro to_date(value) -%}
    {%- if value is string -%}
        {{ return(modules.datetime.date.fromisoformat(value[:10])) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
