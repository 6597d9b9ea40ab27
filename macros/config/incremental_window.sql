{#
    Incremental facts rebuild the days from `incremental_window_start` on: the newest
    date already in the target minus `lookback_days`, or `start_date` (var or environment,
    macro window_bound) when a daily run or a backfill names one. The start is resolved at compile time into a date literal, so
    both engines prune partitions of the target and of every source filtered with it.
#}
{% macro incremental_window_start(date_column) -%}
    {%- if nba_props.window_bound('start_date') is not none -%}
        {{ return(nba_props.date_literal(nba_props.window_bound('start_date'))) }}
    {%- endif -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(nba_props.date_literal('1900-01-01')) }}
    {%- endif -%}
    {%- set newest = nba_props.max_loaded_date(this, date_column) -%}
    {%- if newest is none -%}
        {{ return(nba_props.date_literal('1900-01-01')) }}
    {%- endif -%}
    {%- set start = newest - modules.datetime.timedelta(days=var('lookback_days') | int) -%}
    {{ return(nba_props.date_literal(start.isoformat())) }}
{%- endmacro %}

{#
    `where <column> >= <window start>` on incremental runs, every row on full builds. "Every
    row" is `true` on DuckDB and `(<column> is null or <column> is not null)` on BigQuery:
    the same rows, but it counts as a partition filter, so a full build may read a fact that
    has require_partition_filter.
#}
{% macro incremental_window_filter(date_column, source_column=none) -%}
    {#- start_date first: with it the window needs no look at the target (offline compile). -#}
    {%- if nba_props.window_bound('start_date') is not none or is_incremental() -%}
        {{ source_column or date_column }} >= {{ nba_props.incremental_window_start(date_column) }}
        {%- if nba_props.window_bound('end_date') is not none %}
            and {{ source_column or date_column }} <= {{ nba_props.date_literal(nba_props.window_bound('end_date')) }}
        {%- endif -%}
    {%- else -%}
        {{ nba_props.all_partitions(source_column or date_column) }}
    {%- endif -%}
{%- endmacro %}

{# A predicate true for every row that BigQuery accepts as a partition filter. #}
{% macro all_partitions(column) -%}
    {{ return(adapter.dispatch('all_partitions', 'nba_props')(column)) }}
{%- endmacro %}

{% macro default__all_partitions(column) -%}
    true
{%- endmacro %}

{% macro bigquery__all_partitions(column) -%}
    ({{ column }} is null or {{ column }} is not null)
{%- endmacro %}

{# The newest value of a date column in an existing relation (python date or none). #}
{% macro max_loaded_date(relation, date_column) -%}
    {{ return(adapter.dispatch('max_loaded_date', 'nba_props')(relation, date_column)) }}
{%- endmacro %}

{% macro default__max_loaded_date(relation, date_column) -%}
    {%- set result = run_query('select max(' ~ date_column ~ ') from ' ~ relation) -%}
    {%- set value = result.columns[0].values()[0] -%}
    {%- if value is string -%}
        {%- set value = modules.datetime.date.fromisoformat(value[:10]) -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#
    Reads one DATE column with a constant partition filter: legal under
    require_partition_filter, bills 8 bytes a row (a few MB for years of facts), and runs on
    the emulators too (they have no INFORMATION_SCHEMA.PARTITIONS).
#}
{% macro bigquery__max_loaded_date(relation, date_column) -%}
    {%- set sql -%}
        select max({{ date_column }})
        from {{ relation }}
        where {{ date_column }} >= {{ nba_props.date_literal('1900-01-01') }}
    {%- endset -%}
    {%- set result = run_query(sql) -%}
    {%- set value = result.columns[0].values()[0] -%}
    {%- if value is string -%}
        {%- set value = modules.datetime.date.fromisoformat(value[:10]) -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{# Pre-hook of facts with fact_config(replace_window=true): empty the window first. #}
{% macro delete_incremental_window(date_column) -%}
    {{ nba_props.delete_window_rows(date_column, nba_props.incremental_window_filter(date_column)) }}
{%- endmacro %}

{#
    On incremental runs, delete the rows of `this` that `window_filter` selects (the constant
    lower bound on date_column keeps the delete legal under require_partition_filter).
#}
{% macro delete_window_rows(date_column, window_filter) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ date_column }} >= {{ nba_props.date_literal('1900-01-01') }}
            and {{ window_filter }}
    {%- endif -%}
{%- endmacro %}

{#
    The window's start on the UTC timestamp a game date is derived from (game_date_from_utc
    never gives a date later than the UTC date): a superset of the window, written on the
    raw column itself so the engine can push it below staging's dedup (a filter on the
    derived date cannot pass the row_number window). Use it beside the exact filter on
    the date column.
#}
{% macro incremental_window_filter_utc(date_column, timestamp_column) -%}
    {%- if nba_props.window_bound('start_date') is not none or is_incremental() -%}
        {{ timestamp_column }} >= cast({{ nba_props.incremental_window_start(date_column) }} as timestamp)
    {%- else -%}
        {{ nba_props.all_partitions(timestamp_column) }}
    {%- endif -%}
{%- endmacro %}
