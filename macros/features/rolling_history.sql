{#
    The rows a rolled history computes its windows over, as CTEs: `rolling_input` (the rows
    to write, is_history = false, and the earlier rows their windows need, is_history =
    true) and `event_offsets`.

    Rolled histories are incremental by game date (fact_config with replace_window: the
    pre-hook has deleted the window from `this` before this SQL runs):
    - full build: every row of `rows` is written; no history rows; offsets 0.
    - incremental run: the window's rows are written. Their windows need, per entity, the
      last `window_size` events before the window (found in `this`) and the earlier games
      of the seasons being written (season-to-date windows): both come from `rows`, for
      the entities with a game in the window only. `event_number_offset` is the entity's
      last event number in `this`, so a model numbering its own events continues the
      sequence: offset + row_number() over (partition by entity, is_history ...).

    rows: the name of a CTE with every game of the entities (game_date, season_start_year,
    game_id and entity_columns); entity_columns: what a window is partitioned by in `this`
    (the player or team; a stat column is not needed: every stat of a game shares it).
#}
{#
    The layout of a player history: incremental by game date, the window replaced (the
    pre-hook rolling_history relies on), clustered by player.
#}
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
    window_rows as (

        select * from {{ rows }}
        where {{ nba_props.incremental_window_filter('game_date') }}

    ),
    {%- if is_incremental() %}

    window_start as (

        select {{ nba_props.incremental_window_start('game_date') }} as start_date

    ),

    -- `this` holds the rows before the window (the pre-hook deleted it, and a backfill's
    -- later days are left out here).
    written as (

        select
            {{ entity_columns | join(', ') }},
            game_date,
            event_number
        from {{ this }}
        where game_date < (select start_date from window_start)

    ),

    event_offsets as (

        select
            {{ entity_columns | join(', ') }},
            max(event_number) as event_number_offset
        from written
        group by {{ entity_columns | join(', ') }}

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
            {{ entity_columns | join(', ') }},
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
{%- endmacro %}
