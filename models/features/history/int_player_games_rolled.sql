-- Each player's state AFTER each competitive game: last-5, last-10 and season-to-date
-- averages of the box-score basics and the usage rate. A feature for a later date takes
-- the state of the last game strictly before it (see nba_props.prior_event_number).
-- Last-5/last-10 run across seasons; season-to-date restarts each season. Sums are of
-- integers or fixed-point values, so they are exact (see nba_props.type_exact).
-- Incremental by game date: a run computes the window's games from the earlier games
-- their windows need (macro nba_props.rolling_history).
{%- set stats = {
    'minutes': 'minutes',
    'points': 'points',
    'fga': 'field_goals_attempted',
    'fg3a': 'threes_attempted',
    'fta': 'free_throws_attempted',
    'rebounds': 'rebounds',
    'assists': 'assists',
} %}
{%- set windows = {'l5': 'last_5', 'l10': 'last_10', 'season': 'season_to_date'} %}
{{ config(**nba_props.rolling_history_config(['player_id', 'game_id'])) }}
with

player_games as (

    select * from {{ ref('int_player_games_sequenced') }}

),

-- The window's games (is_history = false) and the earlier games their windows need
-- (is_history = true), with each player's last event number before the window.
rolling_input as (

    {{ nba_props.rolling_history('player_games', ['player_id']) }}

),

window_sums as (

    select
        player_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        {%- for suffix, window in windows.items() %}
        count(*) over {{ window }} as games_{{ suffix }},
        {%- for name, column in stats.items() %}
        sum({{ column }}) over {{ window }} as {{ name }}_sum_{{ suffix }},
        {%- endfor %}
        -- Usage rate = sum(plays * team_minutes) / (5 * sum(minutes * team_plays)): the
        -- player's share of his team's plays while on the floor. (Products of fixed-point
        -- values stay exact; a division inside the sum would not.)
        sum(player_plays * team_minutes) over {{ window }} as usage_numerator_{{ suffix }},
        sum(minutes * team_plays) over {{ window }} as usage_denominator_{{ suffix }},
        {%- endfor %}
        -- Whether every game of the last 10 had the team's log (usage counts only those).
        count(team_plays) over last_10 = count(*) over last_10 as has_complete_team_totals_l10,
        season_game_number,
        is_history
    from rolling_input
    window
        last_5 as (
            partition by player_id order by game_date, game_id
            rows between 4 preceding and current row
        ),
        last_10 as (
            partition by player_id order by game_date, game_id
            rows between 9 preceding and current row
        ),
        season_to_date as (
            partition by player_id, season_start_year order by game_date, game_id
            rows between unbounded preceding and current row
        )

),

final as (

    select
        player_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        {%- for suffix in windows %}
        {%- for name in stats %}
        {{ nba_props.safe_divide(name ~ '_sum_' ~ suffix, 'games_' ~ suffix) }} as {{ name }}_avg_{{ suffix }},
        {%- endfor %}
        {{ nba_props.safe_divide('usage_numerator_' ~ suffix, '5 * usage_denominator_' ~ suffix) }}
            as usage_rate_{{ suffix }},
        {%- endfor %}
        has_complete_team_totals_l10,
        season_game_number
    from window_sums
    where not is_history

)

select * from final
