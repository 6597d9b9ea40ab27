-- One row per raw table and loaded file: rows, natural-key duplicates inside the file,
-- null keys, and rows that other files also delivered (identically, or superseded by a
-- newer load). Staging keeps one row per key, so this is where duplicates stay visible.
-- Shot detail is keyed per shot, but identical shots inside one export are real (two
-- attempts from the same spot in the same second): its in-file duplicates are not errors.
--
-- The keys come from one small model per raw table (models/staging/raw_keys: every raw
-- row's natural key, null-key flag and a hash of its data columns). Nearly every key comes
-- from one file: one aggregate by key settles those, and only the keys several files
-- delivered are looked at per file.
--
-- Incremental: a run profiles the loads that are new since the last run, and the older
-- loads that share a key with them (their counts of re-delivered and superseded rows
-- change); the rows in scope are every row of a key those loads hold, so their counts are
-- exact. A load deleted from a raw table keeps its row until a --full-refresh of this
-- model and of the raw_keys models.
{{ config(
    materialized='incremental',
    unique_key=['raw_table', 'load_id'],
    on_schema_change='append_new_columns',
    incremental_strategy='merge' if target.type == 'bigquery' else 'delete+insert',
    partition_by={'field': 'loaded_at', 'data_type': 'timestamp', 'granularity': 'day'}
    if target.type == 'bigquery' else none,
    cluster_by=['raw_table'] if target.type == 'bigquery' else none,
) }}

with

raw_keys as (

    select * from {{ ref('stg_raw_keys__nbacom_player_game_logs') }}
    union all
    select * from {{ ref('stg_raw_keys__nbacom_team_game_logs') }}
    union all
    select * from {{ ref('stg_raw_keys__nbacom_schedule') }}
    union all
    select * from {{ ref('stg_raw_keys__nbacom_injury_report') }}
    union all
    select * from {{ ref('stg_raw_keys__nbacom_shot_detail') }}
    union all
    select * from {{ ref('stg_raw_keys__nbacom_players') }}
    union all
    select * from {{ ref('stg_raw_keys__odds_api_player_props') }}
    union all
    select * from {{ ref('stg_raw_keys__odds_api_game_lines') }}
    union all
    select * from {{ ref('stg_raw_keys__player_aliases') }}

),

loads as (

    -- Numbered: a key's first and last load are told apart by a number, not by
    -- comparing load id strings on millions of keys.
    select
        raw_table,
        load_id,
        min(source_file) as source_file,
        min(loaded_at) as loaded_at,
        row_number() over (order by raw_table, load_id) as load_number
    from raw_keys
    group by raw_table, load_id

),

keyed_rows as (

    select
        loads.load_number,
        raw_keys.raw_table,
        raw_keys.natural_key,
        raw_keys.is_null_key,
        raw_keys.loaded_at,
        raw_keys.row_hash
    from raw_keys
    inner join loads
        on
            raw_keys.raw_table = loads.raw_table
            and raw_keys.load_id = loads.load_id

),

{%- if is_incremental() %}

new_loads as (

    select loads.load_number
    from loads
    left join {{ this }} as profiled
        on
            loads.raw_table = profiled.raw_table
            and loads.load_id = profiled.load_id
    where profiled.load_id is null

),

new_keys as (

    select distinct
        keyed_rows.raw_table,
        keyed_rows.natural_key
    from keyed_rows
    inner join new_loads
        on keyed_rows.load_number = new_loads.load_number

),

profiled_loads as (

    -- The new loads, and the older ones that share a key with them.
    select distinct keyed_rows.load_number
    from keyed_rows
    inner join new_keys
        on
            keyed_rows.raw_table = new_keys.raw_table
            and keyed_rows.natural_key = new_keys.natural_key

),

scoped_keys as (

    select distinct
        keyed_rows.raw_table,
        keyed_rows.natural_key
    from keyed_rows
    inner join profiled_loads
        on keyed_rows.load_number = profiled_loads.load_number

),

scoped_rows as (

    select keyed_rows.*
    from keyed_rows
    inner join scoped_keys
        on
            keyed_rows.raw_table = scoped_keys.raw_table
            and keyed_rows.natural_key = scoped_keys.natural_key

),
{%- else %}

profiled_loads as (

    select load_number from loads

),

scoped_rows as (

    select * from keyed_rows

),
{%- endif %}

per_key as (

    -- A key's rows share their null status (required columns are key columns).
    select
        raw_table,
        natural_key,
        min(load_number) as first_load_number,
        max(load_number) as last_load_number,
        count(*) as key_rows,
        max(is_null_key) as is_null_key
    from scoped_rows
    group by raw_table, natural_key

),

single_load_keys as (

    select
        first_load_number as load_number,
        sum(key_rows) as rows_in_load,
        count(*) as distinct_keys,
        sum(is_null_key * key_rows) as null_key_rows
    from per_key
    where first_load_number = last_load_number
    group by first_load_number

),

multi_load_keys as (

    select
        raw_table,
        natural_key,
        is_null_key
    from per_key
    where first_load_number != last_load_number

),

multi_load_rows as (

    select
        scoped_rows.load_number,
        scoped_rows.loaded_at,
        scoped_rows.raw_table,
        scoped_rows.natural_key,
        multi_load_keys.is_null_key,
        min(scoped_rows.loaded_at) over (
            partition by scoped_rows.raw_table, scoped_rows.natural_key, scoped_rows.row_hash
        ) as first_load_of_row
    from scoped_rows
    inner join multi_load_keys
        on
            scoped_rows.raw_table = multi_load_keys.raw_table
            and scoped_rows.natural_key = multi_load_keys.natural_key

),

multi_load_key_rows as (

    select
        load_number,
        raw_table,
        natural_key,
        min(loaded_at) as loaded_at,
        count(*) as key_rows,
        max(is_null_key) as is_null_key,
        sum(case when first_load_of_row < loaded_at then 1 else 0 end) as rows_redelivered
    from multi_load_rows
    group by load_number, raw_table, natural_key

),

multi_load_keys_by_load as (

    select
        load_number,
        sum(key_rows) as rows_in_load,
        count(*) as distinct_keys,
        sum(is_null_key * key_rows) as null_key_rows,
        sum(key_rows) as rows_in_other_loads,
        sum(
            case
                when newest_load_of_key > loaded_at
                    then key_rows
                else 0
            end
        ) as rows_superseded,
        sum(rows_redelivered) as rows_redelivered
    from (
        select
            *,
            max(loaded_at) over (partition by raw_table, natural_key) as newest_load_of_key
        from multi_load_key_rows
    ) as with_newest_load
    group by load_number

),

per_load as (

    select
        load_number,
        sum(rows_in_load) as rows_in_load,
        sum(distinct_keys) as distinct_keys,
        sum(null_key_rows) as null_key_rows,
        sum(rows_in_other_loads) as rows_in_other_loads,
        sum(rows_redelivered) as rows_redelivered,
        sum(rows_superseded) as rows_superseded
    from (
        select
            load_number,
            rows_in_load,
            distinct_keys,
            null_key_rows,
            0 as rows_in_other_loads,
            0 as rows_redelivered,
            0 as rows_superseded
        from single_load_keys
        union all
        select
            load_number,
            rows_in_load,
            distinct_keys,
            null_key_rows,
            rows_in_other_loads,
            rows_redelivered,
            rows_superseded
        from multi_load_keys_by_load
    ) as by_kind
    group by load_number

),

profiled as (

    select
        loads.raw_table,
        loads.load_id,
        loads.source_file,
        loads.loaded_at,
        cast(per_load.rows_in_load as {{ dbt.type_bigint() }}) as rows_in_load,
        cast(per_load.distinct_keys as {{ dbt.type_bigint() }}) as distinct_keys,
        cast(per_load.rows_in_load - per_load.distinct_keys as {{ dbt.type_bigint() }}) as duplicate_key_rows,
        cast(per_load.null_key_rows as {{ dbt.type_bigint() }}) as null_key_rows,
        cast(per_load.rows_in_other_loads as {{ dbt.type_bigint() }}) as rows_in_other_loads,
        cast(per_load.rows_redelivered as {{ dbt.type_bigint() }}) as rows_redelivered,
        cast(per_load.rows_superseded as {{ dbt.type_bigint() }}) as rows_superseded
    from loads
    inner join per_load
        on loads.load_number = per_load.load_number
    where loads.load_number in (select profiled_loads.load_number from profiled_loads)

),

final as (

    select
        *,
        raw_table != 'nbacom_shot_detail' as duplicates_are_errors,
        rows_in_load > 0 and rows_redelivered = rows_in_load as is_redundant_file
    from profiled

)

select * from final
