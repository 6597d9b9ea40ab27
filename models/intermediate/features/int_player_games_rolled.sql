-- Each player's state AFTER each competitive game: last-5, last-10 and season-to-date
-- averages of the box-score basics and the usage rate. A feature for a later date takes
-- the state of the last game strictly before it (see nba_props.prior_event_number).
-- Last-5/last-10 run across seasons; season-to-date restarts each season. Sums are of
-- integers or fixed-point values, so they are exact (see nba_props.type_exact).
{%- set stats = {
    'minutes': 'minutes',
    'points': 'points',
    'fga': 'field_goals_attempted',
    'fg3a': 'threes_attempted',
    'fta': 'free_throws_attempted',
    'rebounds': 'rebounds',
    'assists': 'assists',
} %}
{%- set usage_windows = {'l5': 'last_5', 'l10': 'last_10', 'season': 'season_to_date'} %}
with

player_games as (

    select * from {{ ref('int_player_games_sequenced') }}

),

final as (

    select
        player_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        season_game_number,
        {%- for name, column in stats.items() %}
        {{ nba_props.safe_divide('sum(' ~ column ~ ') over last_5', 'count(*) over last_5') }}
            as {{ name }}_avg_l5,
        {{ nba_props.safe_divide('sum(' ~ column ~ ') over last_10', 'count(*) over last_10') }}
            as {{ name }}_avg_l10,
        {{ nba_props.safe_divide('sum(' ~ column ~ ') over season_to_date', 'count(*) over season_to_date') }}
            as {{ name }}_avg_season,
        {%- endfor %}
        -- Usage rate: the player's share of his team's plays while on the floor, summed
        -- over the window: sum(plays * team_minutes) / (5 * sum(minutes * team_plays)).
        -- (Products of fixed-point values stay exact; a division inside the sum would not.)
        {%- for suffix, window in usage_windows.items() %}
        {{ nba_props.safe_divide(
            'sum(player_plays * team_minutes) over ' ~ window,
            '5 * sum(minutes * team_plays) over ' ~ window
        ) }} as usage_rate_{{ suffix }}{{ ',' if not loop.last }}
        {%- endfor %}
    from player_games
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

)

select * from final
