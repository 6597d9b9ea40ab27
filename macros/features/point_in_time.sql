{#
    The point-in-time primitive of the precompute layer.

    `events` is a history with one row per event (a game) and a running `event_number`
    per partition (1, 2, 3, ... in (event_date, game_id) order); its rolling columns
    describe the state AFTER that event. `targets` are the rows that need features, each
    with the date they are computed as of. For each target this returns the number of
    the last event dated strictly before that date (0 when there is none), so joining the
    history on (partition, event_number) gives the state from earlier games only.

    Targets and events go into one timeline; on the same date every target sorts before
    every event, so games on the target's own date, and several games on one date, are
    never counted. Returns partition columns, game_id, as_of_date and prior_event_number.
#}
{% macro prior_event_number(targets, target_date, events, partition_by, event_date='game_date', event_number='event_number') -%}
    {%- set partition_list = partition_by | join(', ') -%}
    select
        {{ partition_list }},
        game_id,
        timeline_date as as_of_date,
        coalesce(prior_event_number, 0) as prior_event_number
    from (
        select
            *,
            max(timeline_event_number) over (
                partition by {{ partition_list }}
                order by timeline_date, timeline_order, game_id
                rows between unbounded preceding and current row
            ) as prior_event_number
        from (
            select
                {{ partition_list }},
                game_id,
                {{ target_date }} as timeline_date,
                0 as timeline_order,
                cast(null as {{ dbt.type_bigint() }}) as timeline_event_number
            from {{ targets }}
            union all
            select
                {{ partition_list }},
                game_id,
                {{ event_date }} as timeline_date,
                1 as timeline_order,
                cast({{ event_number }} as {{ dbt.type_bigint() }}) as timeline_event_number
            from {{ events }}
        ) as timeline
    ) as located
    where timeline_order = 0
{%- endmacro %}

{#
    The version of a line (rows with valid_from / valid_to, as in player_prop_lines_preferred
    and int_game_lines_versioned) that a feature row may see:
      - a game before as_of_date (a training row): the version valid at tip-off;
      - an upcoming game: the version valid at as_of_time, or the current one
        (valid_to null) when as_of_time is not set.
    `lines` needs game_date, commence_time_utc, valid_from, valid_to; `as_of` is
    int_as_of_dates_resolved. At most one version of a line passes.
#}
{% macro line_valid_at_cut_off(lines, as_of) -%}
    (
        (
            {{ lines }}.game_date < {{ as_of }}.as_of_date
            and ({{ lines }}.valid_to is null or {{ lines }}.valid_to > {{ lines }}.commence_time_utc)
        )
        or (
            {{ lines }}.game_date >= {{ as_of }}.as_of_date
            and {{ as_of }}.as_of_time is null
            and {{ lines }}.valid_to is null
        )
        or (
            {{ lines }}.game_date >= {{ as_of }}.as_of_date
            and {{ lines }}.valid_from <= {{ as_of }}.as_of_time
            and ({{ lines }}.valid_to is null or {{ lines }}.valid_to > {{ as_of }}.as_of_time)
        )
    )
{%- endmacro %}
