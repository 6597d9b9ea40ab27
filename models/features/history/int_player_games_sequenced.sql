-- The history every player feature is computed from: competitive player-games (regular
-- season, play-in, playoffs, Cup final; not preseason or All-Star) with a game record,
-- numbered per player in (game_date, game_id) order, with the team totals the usage
-- rate needs. A game without a game record is left out here and reported upstream.
-- Incremental by game date: a run numbers the window's games on from each player's last
-- event number (macro nba_props.rolling_history).
{{ config(**nba_props.rolling_history_config(['player_id', 'game_id'])) }}
{%- set columns = [
    'player_id', 'game_id', 'game_date', 'season_start_year', 'game_type', 'team_id',
    'opponent_team_id', 'is_home', 'minutes', 'points', 'rebounds', 'offensive_rebounds',
    'defensive_rebounds', 'assists', 'steals', 'blocks', 'turnovers', 'threes_made',
    'field_goals_made', 'field_goals_attempted', 'threes_attempted', 'free_throws_made',
    'free_throws_attempted', 'player_plays', 'team_plays', 'team_minutes',
] %}
with

player_games as (

    select * from {{ ref('int_player_games_joined') }}

),

team_games as (

    select * from {{ ref('int_team_games_paired') }}

),

game_types as (

    select * from {{ ref('game_types') }}

),

competitive as (

    select player_games.*
    from player_games
    inner join game_types
        on player_games.game_type_code = game_types.game_type_code
    where
        game_types.is_competitive
        and player_games.has_game_record

),

with_team_totals as (

    select
        competitive.player_id,
        competitive.game_id,
        competitive.game_date,
        competitive.season_start_year,
        competitive.game_type,
        competitive.team_id,
        competitive.opponent_team_id,
        competitive.is_home,
        cast(coalesce(competitive.minutes, 0) as {{ nba_props.type_exact() }}) as minutes,
        competitive.points,
        competitive.rebounds,
        competitive.offensive_rebounds,
        competitive.defensive_rebounds,
        competitive.assists,
        competitive.steals,
        competitive.blocks,
        competitive.turnovers,
        competitive.threes_made,
        competitive.field_goals_made,
        competitive.field_goals_attempted,
        competitive.threes_attempted,
        competitive.free_throws_made,
        competitive.free_throws_attempted,
        -- Plays used: shots, trips to the line, turnovers (the usage-rate numerator).
        -- Fractional values are fixed-point (nba_props.type_exact) so rolling sums are exact.
        cast(
            competitive.field_goals_attempted + 0.44 * competitive.free_throws_attempted
            + competitive.turnovers as {{ nba_props.type_exact() }}
        ) as player_plays,
        cast(
            team_games.field_goals_attempted + 0.44 * team_games.free_throws_attempted
            + team_games.turnovers as {{ nba_props.type_exact() }}
        ) as team_plays,
        -- Null without the team's log: the usage rate's numerator and denominator then both
        -- leave the game out (a usage rate is null, never wrong, on partial team logs).
        cast(
            case when team_games.team_id is not null then coalesce(team_games.team_minutes, 240) end
            as {{ nba_props.type_exact() }}
        ) as team_minutes
    from competitive
    left join team_games
        on
            competitive.game_id = team_games.game_id
            and competitive.team_id = team_games.team_id

),

-- The window's games (is_history = false) and the earlier games their windows need
-- (is_history = true), with each player's last event number before the window.
rolling_input as (

    {{ nba_props.rolling_history('with_team_totals', ['player_id']) }}

),

final as (

    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        event_number_offset + row_number() over (
            partition by player_id, is_history
            order by game_date, game_id
        ) as event_number,
        -- The window's seasons are in rolling_input from their first game.
        row_number() over (
            partition by player_id, season_start_year
            order by game_date, game_id
        ) as season_game_number,
        is_history
    from rolling_input

)

select
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    event_number,
    season_game_number
from final
where not is_history
