-- The natural key of every row of nba_raw.odds_api_game_lines, with its load (file): the input
-- of raw_duplicate_rows, which staging's one row per key would hide. Key: a game's lines;
-- snapshot_time is null in closing-line exports.
-- Incremental: a run keys the loads not keyed yet (loads never change once written).
with

raw_rows as (

    select * from {{ source('odds_api', 'odds_api_game_lines') }}
    {%- if is_incremental() %}
    where _load_id not in (select keyed.load_id from {{ this }} as keyed)
    {%- endif %}

),

keyed as (

    select
        'odds_api_game_lines' as raw_table,
        _load_id as load_id,
        _source_file as source_file,
        _loaded_at as loaded_at,
        {{ nba_props.natural_key_value(['date', 'away', 'home', 'snapshot_time']) }} as natural_key,
        case
            when
                date is null
                or away is null
                or home is null
                then 1
            else 0
        end as is_null_key,
        {{ nba_props.row_hash(source('odds_api', 'odds_api_game_lines')) }} as row_hash
    from raw_rows

)

select * from keyed
