-- The natural key of every row of nba_raw.nbacom_schedule, with its load (file): the input of
-- raw_duplicate_rows, which staging's one row per key would hide. Key: a scheduled game.
-- Incremental: a run keys the loads not keyed yet (loads never change once written).
with

raw_rows as (

    select * from {{ source('nbacom', 'nbacom_schedule') }}
    {%- if is_incremental() %}
    where _load_id not in (select keyed.load_id from {{ this }} as keyed)
    {%- endif %}

),

keyed as (

    select
        'nbacom_schedule' as raw_table,
        _load_id as load_id,
        _source_file as source_file,
        _loaded_at as loaded_at,
        {{ nba_props.natural_key_value(['game_id']) }} as natural_key,
        case
            when
                game_id is null
                then 1
            else 0
        end as is_null_key,
        {{ nba_props.row_hash(source('nbacom', 'nbacom_schedule')) }} as row_hash
    from raw_rows

)

select * from keyed
