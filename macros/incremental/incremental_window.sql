{# The incremental window, one entry point: documented in _incremental__macros.yml. #}

{% macro incremental_window(date_column, kind='filter', source_column=none, newest_where=none) -%}
    {%- set column = source_column or date_column -%}
    {%- set start = nba_props.incremental_window_start(date_column, newest_where) -%}
    {%- set end = nba_props.incremental_window_bound('end_date') if start is not none else none -%}
    {%- if kind == 'bounds' -%}
        {{ return({'start': start, 'end': end}) }}
    {%- elif kind == 'start' -%}
        {{ return(nba_props.date_literal(nba_props.window_floor() if start is none else start)) }}
    {%- elif kind == 'filter' -%}
        {{ return(nba_props.window_predicate(column, start, end)) }}
    {%- elif kind == 'timestamp_filter' -%}
        {%- if source_column is none -%}
            {{ exceptions.raise_compiler_error("incremental_window(kind='timestamp_filter') needs source_column") }}
        {%- endif -%}
        {%- if start is none -%}
            {{ return(nba_props.all_partitions(column)) }}
        {%- endif -%}
        {{ return(column ~ ' >= cast(' ~ nba_props.date_literal(start) ~ ' as timestamp)') }}
    {%- elif kind == 'delete' -%}
        {%- if start is none or not is_incremental() -%}
            {{ return('') }}
        {%- endif -%}
        {{ return('delete from ' ~ this ~ ' where ' ~ date_column ~ ' >= '
            ~ nba_props.date_literal(nba_props.window_floor()) ~ ' and '
            ~ nba_props.window_predicate(date_column, start, end)) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error('incremental_window: unknown kind ' ~ kind) }}
{%- endmacro %}

{#- `column >= start [and column <= end]`, or every row (all_partitions) when start is none. -#}
{% macro window_predicate(column, start, end) -%}
    {%- if start is none -%}
        {{ return(nba_props.all_partitions(column)) }}
    {%- endif -%}
    {%- set predicate = column ~ ' >= ' ~ nba_props.date_literal(start) -%}
    {%- if end is not none -%}
        {%- set predicate = predicate ~ ' and ' ~ column ~ ' <= ' ~ nba_props.date_literal(end) -%}
    {%- endif -%}
    {{ return(predicate) }}
{%- endmacro %}

{#- The window's first date ('YYYY-MM-DD' or a date), or none when the run reads every date. -#}
{% macro incremental_window_start(date_column, newest_where=none) -%}
    {%- set named = nba_props.incremental_window_bound('start_date') -%}
    {%- if named is not none -%}
        {{ return(named) }}
    {%- endif -%}
    {%- if not execute or model.resource_type != 'model' or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set newest = nba_props.newest_loaded_date(this, date_column, newest_where) -%}
    {%- if newest is none -%}
        {{ return(nba_props.window_floor()) }}
    {%- endif -%}
    {%- set start = newest - modules.datetime.timedelta(days=var('lookback_days') | int) -%}
    {{ return(start.isoformat()) }}
{%- endmacro %}

{#- The newest date_column in relation (rows matching `where`, if given), a python date or none. -#}
{% macro newest_loaded_date(relation, date_column, where=none) -%}
    {%- set sql -%}
        select max({{ date_column }})
        from {{ relation }}
        where {{ date_column }} >= {{ nba_props.date_literal(nba_props.window_floor()) }}
        {%- if where %}
            and ({{ where }})
        {%- endif %}
    {%- endset -%}
    {{ return(nba_props.to_date(run_query(sql).columns[0].values()[0])) }}
{%- endmacro %}

{#- A predicate true for every row that BigQuery accepts as a partition filter. -#}
{% macro all_partitions(column) -%}
    {{ return(adapter.dispatch('all_partitions', 'nba_props')(column)) }}
{%- endmacro %}

{% macro default__all_partitions(column) -%}
    true
{%- endmacro %}

{% macro bigquery__all_partitions(column) -%}
    ({{ column }} is null or {{ column }} is not null)
{%- endmacro %}
