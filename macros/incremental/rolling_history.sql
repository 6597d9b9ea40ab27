{# Rolled histories (the rows a window's rolling features need): documented in _incremental__macros.yml. #}

{% macro rolling_history_config(unique_key) -%}
    {{ return(nba_props.fact_config(
        date_column='game_date',
        unique_key=unique_key,
        cluster_by=['player_id'],
        large=false,
        replace_window=true,
    )) }}
{%- endmacro %}

{% macro rolling_history(rows, entity_columns, window_size=10) -%}
    {%- set entities = entity_columns | join(', ') -%}
    with

    window_rows as (

        select * from {{ rows }}
        where {{ nba_props.incremental_window('game_date') }}

    ),
    {%- if is_incremental() %}

    window_start as (

        select {{ nba_props.incremental_window('game_date', kind='start') }} as start_date

    ),

    -- `this` holds the rows before the window (the pre-hook deleted it, and a backfill's
    -- later days are left out here).
    written as (

        select
            {{ entities }},
            game_date,
            event_number
        from {{ this }}
        where game_date < (select start_date from window_start)

    ),

    event_offsets as (

        select
            {{ entities }},
            max(event_number) as event_number_offset
        from written
        group by {{ entities }}

    ),

    history_starts as (

        -- The date of each entity's window_size-th last event before the window.
        select
            {%- for column in entity_columns %}
            written.{{ column }},
            {%- endfor %}
            min(written.game_date) as history_start_date
        from written
        inner join event_offsets
            on {{ nba_props.entity_join('written', 'event_offsets', entity_columns) }}
        where written.event_number > event_offsets.event_number_offset - {{ window_size }}
        group by {% for column in entity_columns %}written.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}

    ),

    history_rows as (

        select history.*
        from {{ rows }} as history
        inner join history_starts
            on {{ nba_props.entity_join('history', 'history_starts', entity_columns) }}
        where
            history.game_date < (select start_date from window_start)
            and (
                history.game_date >= history_starts.history_start_date
                or history.season_start_year >= (select min(season_start_year) from window_rows)
            )
            and exists (
                select 1 from window_rows
                where {{ nba_props.entity_join('window_rows', 'history', entity_columns) }}
            )

    ),
    {%- else %}

    event_offsets as (

        select
            {{ entities }},
            0 as event_number_offset
        from {{ rows }}
        where false

    ),

    history_rows as (

        select * from {{ rows }}
        where false

    ),
    {%- endif %}

    rolling_input as (

        select
            window_rows.*,
            coalesce(event_offsets.event_number_offset, 0) as event_number_offset,
            false as is_history
        from window_rows
        left join event_offsets
            on {{ nba_props.entity_join('window_rows', 'event_offsets', entity_columns) }}
        union all
        select
            history_rows.*,
            0 as event_number_offset,
            true as is_history
        from history_rows

    )

    select * from rolling_input
{%- endmacro %}
