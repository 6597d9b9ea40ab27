{#
    Incremental window of the precompute facts.

    Their rows are computed from the full history (intermediate views); a run only
    replaces the rows of its window. The window is the one of incremental_window_filter,
    except that its start on a plain incremental run is taken from the newest *played*
    date in the target: upcoming-game rows lie in the future and must not push the start
    past the games that still need their features.

    - var start_date (and end_date): [start_date, end_date], as everywhere.
    - incremental run: dates >= newest played date in the target - lookback_days.
    - full build: every date (written as `>= 1900-01-01`: a constant filter on the
      partition column, so reading a fact of this layer stays legal on BigQuery under
      require_partition_filter).
    `source_column` names the date column of the relation being filtered when it differs
    from the target's (the window start is always read from the target's date_column).
#}
{% macro feature_window_filter(date_column, source_column=none) -%}
    {%- if nba_props.window_bound('start_date') is not none -%}
        {{ nba_props.incremental_window_filter(date_column, source_column) }}
    {%- elif is_incremental() -%}
        {{ source_column or date_column }} >= {{ nba_props.feature_window_start(date_column) }}
    {%- else -%}
        {{ source_column or date_column }} >= {{ nba_props.date_literal('1900-01-01') }}
    {%- endif -%}
{%- endmacro %}

{% macro feature_window_start(date_column) -%}
    {%- if not execute -%}
        {{ return(nba_props.date_literal('1900-01-01')) }}
    {%- endif -%}
    {%- set sql -%}
        select max({{ date_column }})
        from {{ this }}
        where {{ date_column }} >= {{ nba_props.date_literal('1900-01-01') }}
            and not is_upcoming
    {%- endset -%}
    {%- set newest = run_query(sql).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return(nba_props.date_literal('1900-01-01')) }}
    {%- endif -%}
    {%- if newest is string -%}
        {%- set newest = modules.datetime.date.fromisoformat(newest[:10]) -%}
    {%- endif -%}
    {%- set start = newest - modules.datetime.timedelta(days=var('lookback_days') | int) -%}
    {{ return(nba_props.date_literal(start.isoformat())) }}
{%- endmacro %}

{#
    Pre-hook of the precompute facts: on incremental runs, delete every row of the window
    before the window is inserted again. The window is then replaced as a whole, so rows
    that are no longer produced (a projected player who did not play, a corrected box
    score that dropped a player) do not linger, and a daily build equals a full one.
#}
{% macro delete_feature_window(date_column) -%}
    {{ nba_props.delete_window_rows(date_column, nba_props.feature_window_filter(date_column)) }}
{%- endmacro %}
