-- One row per raw table and loaded file: rows, natural-key duplicates inside the file,
-- null keys, and rows that other files also delivered (identically, or superseded by a
-- newer load). Staging keeps one row per key, so this is where duplicates stay visible.
-- Shot detail is keyed per shot, but identical shots inside one export are real (two
-- attempts from the same spot in the same second): its in-file duplicates are not errors.
-- Incremental: a run profiles the new loads and the older loads sharing a key with them
-- (see nba_props.raw_key_profile); a load deleted from a raw table keeps its row until a
-- --full-refresh of this model.
{{ config(
    materialized='incremental',
    unique_key=['raw_table', 'load_id'],
    incremental_strategy='merge' if target.type == 'bigquery' else 'delete+insert',
    partition_by={'field': 'loaded_at', 'data_type': 'timestamp', 'granularity': 'day'}
    if target.type == 'bigquery' else none,
    cluster_by=['raw_table'] if target.type == 'bigquery' else none,
) }}

with

player_game_logs as (

    {{ nba_props.raw_key_profile(source('nbacom', 'nbacom_player_game_logs'), ['player_id', 'game_id']) }}

),

team_game_logs as (

    {{ nba_props.raw_key_profile(source('nbacom', 'nbacom_team_game_logs'), ['team_id', 'game_id']) }}

),

schedule as (

    {{ nba_props.raw_key_profile(source('nbacom', 'nbacom_schedule'), ['game_id']) }}

),

injury_report as (

    {{ nba_props.raw_key_profile(source('nbacom', 'nbacom_injury_report'), ['report_time', 'team', 'player_name']) }}

),

shot_detail as (

    {{ nba_props.raw_key_profile(
        source('nbacom', 'nbacom_shot_detail'),
        ['game_id', 'player_id', 'quarter', 'mins_left', 'secs_left', 'loc_x', 'loc_y'],
        required_columns=['game_id', 'player_id'],
    ) }}

),

players as (

    {{ nba_props.raw_key_profile(source('nbacom', 'nbacom_players'), ['id']) }}

),

player_props as (

    {{ nba_props.raw_key_profile(
        source('odds_api', 'odds_api_player_props'),
        ['game', 'game_time', 'player', 'market', 'bookmaker', 'line', 'snapshot_time'],
        required_columns=['game', 'game_time', 'player', 'market', 'bookmaker', 'line'],
    ) }}

),

game_lines as (

    {{ nba_props.raw_key_profile(
        source('odds_api', 'odds_api_game_lines'),
        ['date', 'away', 'home', 'snapshot_time'],
        required_columns=['date', 'away', 'home'],
    ) }}

),

player_aliases as (

    {{ nba_props.raw_key_profile(source('reference', 'player_aliases'), ['alias_name']) }}

),

unioned as (

    select * from player_game_logs
    union all
    select * from team_game_logs
    union all
    select * from schedule
    union all
    select * from injury_report
    union all
    select * from shot_detail
    union all
    select * from players
    union all
    select * from player_props
    union all
    select * from game_lines
    union all
    select * from player_aliases

),

final as (

    select
        *,
        raw_table != 'nbacom_shot_detail' as duplicates_are_errors,
        rows_in_load > 0 and rows_redelivered = rows_in_load as is_redundant_file
    from unioned

)

select * from final
