{# The implied probability (vig included) of American odds; null for null or zero odds. #}
{% macro implied_probability(odds) -%}
    case
        when {{ odds }} < 0 then -{{ odds }} / (100.0 - {{ odds }})
        when {{ odds }} > 0 then 100.0 / ({{ odds }} + 100.0)
    end
{%- endmacro %}

{#
    The first row of a group by an ordering, as a struct of `columns`, in an aggregate.
    DuckDB: arg_min over a struct (one pass, no sort); elsewhere (BigQuery): the first
    element of an ordered array_agg. order_by: column names, ascending; the group's row
    with the smallest (order_by...) wins. Keep order_by columns non-null (coalesce them):
    engines place nulls differently (DuckDB last, BigQuery first).
#}
{% macro first_row_by(columns, order_by) -%}
    {{ return(adapter.dispatch('first_row_by', 'nba_props')(columns, order_by)) }}
{%- endmacro %}

{% macro default__first_row_by(columns, order_by) -%}
    array_agg(
        struct({% for column in columns %}{{ column }} as {{ column }}{% if not loop.last %}, {% endif %}{% endfor %})
        order by {{ order_by | join(', ') }}
        limit 1
    )[offset(0)]
{%- endmacro %}

{% macro duckdb__first_row_by(columns, order_by) -%}
    arg_min(
        struct_pack({% for column in columns %}{{ column }} := {{ column }}{% if not loop.last %}, {% endif %}{% endfor %}),
        ({{ order_by | join(', ') }})
    )
{%- endmacro %}

{#
    The median of a column in an aggregate: the middle value, or the mean of the two middle
    values (lines are multiples of 0.5, so every engine gives the same exact number). Nulls
    are left out; no values give null.
#}
{% macro median_value(column) -%}
    {{ return(adapter.dispatch('median_value', 'nba_props')(column)) }}
{%- endmacro %}

{#- The offsets are floor((n - 1) / 2) and floor(n / 2), written with floor and a cast
    rather than div(): the same integers on BigQuery, and bqemulator (1.4.0) evaluates
    div(count(x) - 1, 2) as count(x) - (1 div 2), so every consensus line was null there. -#}
{% macro default__median_value(column) -%}
    (
        array_agg({{ column }} ignore nulls order by {{ column }})[safe_offset(cast(floor((count({{ column }}) - 1) / 2) as int64))]
        + array_agg({{ column }} ignore nulls order by {{ column }})[safe_offset(cast(floor(count({{ column }}) / 2) as int64))]
    ) / 2
{%- endmacro %}

{#- DuckDB: over a list, not median(): the holistic median aggregate cannot spill, and ran out
    of memory on 12M lines under a 3 GB limit; list() spills like any other state. -#}
{% macro duckdb__median_value(column) -%}
    list_median(list({{ column }}))
{%- endmacro %}
