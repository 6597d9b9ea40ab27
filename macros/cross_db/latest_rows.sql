{#
    Every row of a raw relation except those a newer row of the same natural key replaces
    (newest load first, then the last row of the file): staging's one row per key.

    Nearly every key has one row, so the rows are not ranked as a whole: one aggregate
    finds the keys with several rows, only those are ranked, and the rows that lose are
    left out by their (load id, row number), matched only within the loads that hold one.
    The key compares null parts as equal (nba_props.natural_key_text), as a window
    partition does.

    where: an optional filter on raw columns, applied to every read of the relation. It
    must keep or drop whole keys (a filter on a key column, such as the props' tip-off),
    so that the rows it keeps are deduplicated exactly as in the whole table.
#}
{% macro latest_rows(relation, key_columns, where=none) -%}
    {%- set rows = relation if where is none else '(select * from ' ~ relation ~ ' where ' ~ where ~ ')' -%}
    with

    repeated_keys as (

        select {{ nba_props.natural_key_text(key_columns) }} as natural_key
        from {{ rows }} as raw_rows
        group by 1
        having count(*) > 1

    ),

    replaced_rows as (

        select
            _load_id,
            _row_number
        from (
            select
                raw_rows._load_id,
                raw_rows._row_number,
                row_number() over (
                    partition by repeated_keys.natural_key
                    order by raw_rows._loaded_at desc, raw_rows._row_number desc
                ) as version_rank
            from {{ rows }} as raw_rows
            inner join repeated_keys
                on {{ nba_props.natural_key_text(key_columns, 'raw_rows') }} = repeated_keys.natural_key
        ) as ranked
        where version_rank > 1

    ),

    -- The loads holding a replaced row are few (re-deliveries): the other loads' rows are
    -- kept by a filter against that short list, and only those loads' rows are matched
    -- against the replaced rows (an anti-join over every row would hash them all).
    loads_with_replaced_rows as (

        select distinct _load_id
        from replaced_rows

    )

    select raw_rows.*
    from {{ rows }} as raw_rows
    where raw_rows._load_id not in (select loads_with_replaced_rows._load_id from loads_with_replaced_rows)
    union all
    select raw_rows.*
    from {{ rows }} as raw_rows
    inner join loads_with_replaced_rows
        on raw_rows._load_id = loads_with_replaced_rows._load_id
    left join replaced_rows
        on
            raw_rows._load_id = replaced_rows._load_id
            and raw_rows._row_number = replaced_rows._row_number
    where replaced_rows._load_id is null
{%- endmacro %}
