{#- A game is the unit: its shots are replaced together (staging_config). -#}
{%- set keys = [['game_id', 'game_id', "lpad(raw_keys.game_id, 10, '0')"]] -%}
{{ config(**nba_props.staging_config(
    'nbacom', 'nbacom_shot_detail', keys, 'game_date', ['game_id', 'player_id'], unit='game',
)) }}

with

source as (

    {{ nba_props.unstaged_raw_rows(source('nbacom', 'nbacom_shot_detail'), keys) }}

),

latest_load_per_game as (

    -- Shot files are exports per game range: a game's shots come from its newest load
    -- only, so a re-export replaces the game instead of doubling it. Identical rows in
    -- one export are real (two attempts in the same second and spot) and are kept.
    select
        lpad(game_id, 10, '0') as game_id,
        max(_load_id) as load_id
    from source
    group by 1

),

renamed as (

    select
        latest_load_per_game.game_id,
        source.player_id,
        source.team_id,
        source.game_date,
        upper(source.home_team) as home_team_tricode,
        upper(source.away_team) as away_team_tricode,
        source.shot_made,
        source.shot_type = '3PT Field Goal' as is_three,
        source.action_type,
        source.basic_zone,
        source.zone_name,
        source.zone_range,
        source.shot_distance,
        source.loc_x,
        source.loc_y,
        source.quarter,
        source.mins_left,
        source.secs_left,
        source._row_number as source_row_number,
        source._load_id as load_id
    from source
    inner join latest_load_per_game
        on
            lpad(source.game_id, 10, '0') = latest_load_per_game.game_id
            and source._load_id = latest_load_per_game.load_id

),

zoned as (

    select
        *,
        case
            when basic_zone = 'Restricted Area' then 'restricted_area'
            when basic_zone = 'In The Paint (Non-RA)' then 'paint'
            when basic_zone = 'Mid-Range' then 'mid_range'
            when basic_zone in ('Left Corner 3', 'Right Corner 3') then 'corner_three'
            when basic_zone = 'Above the Break 3' then 'above_break_three'
            when basic_zone = 'Backcourt' then 'backcourt'
            else 'unknown'
        end as shot_zone
    from renamed

)

select * from zoned
