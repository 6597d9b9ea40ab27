{#- The key rows are kept by: [staged column, raw column, staged value] (staging_config). -#}
{%- set keys = [
    ['player_id', 'player_id', 'raw_keys.player_id'],
    ['game_id', 'game_id', "lpad(raw_keys.game_id, 10, '0')"],
] -%}
{{ config(**nba_props.staging_config(
    'nbacom', 'nbacom_player_game_logs', keys, 'game_date', ['game_id', 'player_id'],
)) }}

with

source as (

    {{ nba_props.unstaged_raw_rows(source('nbacom', 'nbacom_player_game_logs'), keys) }}

),

latest_version as (

    -- A player-game loaded more than once (a corrected file) keeps its newest load.
    select
        *,
        row_number() over (
            partition by player_id, lpad(game_id, 10, '0')
            -- The newest load wins; a key repeated inside one file (the 2023-24 team
            -- file lists preseason game 0012300036 twice, once with 3 minutes and 0
            -- points) keeps its most complete row. raw_duplicate_rows counts both.
            order by _loaded_at desc, min desc nulls last, _row_number desc
        ) as version_rank
    from source

),

renamed as (

    select
        lpad(game_id, 10, '0') as game_id,
        player_id,
        player_name,
        team_id,
        upper(team_abbreviation) as team_tricode,
        game_date,
        season_id,
        matchup,
        wl as win_loss,
        min as minutes,
        fgm as field_goals_made,
        fga as field_goals_attempted,
        fg3m as threes_made,
        fg3a as threes_attempted,
        ftm as free_throws_made,
        fta as free_throws_attempted,
        oreb as offensive_rebounds,
        dreb as defensive_rebounds,
        reb as rebounds,
        ast as assists,
        stl as steals,
        blk as blocks,
        tov as turnovers,
        pf as personal_fouls,
        pts as points,
        plus_minus,
        nullif(trim(start_position), '') as start_position,
        -- 'AAA @ HHH' or 'HHH vs. AAA': the home side is after '@' or before 'vs.'.
        -- Neutral-site games (NBA Cup knockouts, games abroad) list '@' for both teams,
        -- so the team after '@' is the nominal home team.
        upper(team_abbreviation) = case
            when matchup like '% @ %' then upper(right(trim(matchup), 3))
            else upper(left(trim(matchup), 3))
        end as is_home,
        matchup like '% @ %' and upper(team_abbreviation) = upper(right(trim(matchup), 3))
            as is_listed_away_at_home,
        _load_id as load_id,
        _loaded_at as loaded_at
    from latest_version
    where version_rank = 1

)

select * from renamed
