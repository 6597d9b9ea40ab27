-- Each player's state AFTER each competitive game, for every stat a prop market in the
-- prop_markets seed settles on (long: one row per player, game and stat). The stat
-- expressions come from nba_props.prop_stat_expressions(); nothing here is specific to
-- one market. Sums are exact (integer stats, fixed-point minutes).
-- Incremental by game date (macro nba_props.rolling_history).
{{ config(**nba_props.rolling_history_config(['player_id', 'game_id', 'stat_column'])) }}
with

player_games as (

    select * from {{ ref('int_player_games_sequenced') }}

),

-- The window's games (is_history = false) and the earlier games their windows need
-- (is_history = true), with each player's last event number before the window.
rolling_input as (

    {{ nba_props.rolling_history('player_games', ['player_id']) }}

),

markets as (

    select distinct stat_column from {{ ref('prop_markets') }}

),

unpivoted as (

    {%- for stat, expression in nba_props.prop_stat_expressions().items() %}
    select
        player_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        minutes,
        '{{ stat }}' as stat_column,
        cast({{ expression }} as {{ nba_props.type_exact() }}) as stat_value,
        is_history
    from rolling_input
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

used_stats as (

    select unpivoted.*
    from unpivoted
    inner join markets
        on unpivoted.stat_column = markets.stat_column

),

window_sums as (

    select
        player_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        stat_column,
        stat_value,
        count(*) over last_5 as games_l5,
        sum(stat_value) over last_5 as stat_sum_l5,
        count(*) over last_10 as games_l10,
        sum(stat_value) over last_10 as stat_sum_l10,
        sum(stat_value * stat_value) over last_10 as stat_squares_l10,
        sum(minutes) over last_10 as minutes_l10,
        count(*) over season_to_date as games_season,
        sum(stat_value) over season_to_date as stat_sum_season,
        is_history
    from used_stats
    window
        last_5 as (
            partition by player_id, stat_column order by game_date, game_id
            rows between 4 preceding and current row
        ),
        last_10 as (
            partition by player_id, stat_column order by game_date, game_id
            rows between 9 preceding and current row
        ),
        season_to_date as (
            partition by player_id, stat_column, season_start_year order by game_date, game_id
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
        stat_column,
        stat_value as stat_last_game,
        {{ nba_props.safe_divide('stat_sum_l5', 'games_l5') }} as stat_avg_l5,
        {{ nba_props.safe_divide('stat_sum_l10', 'games_l10') }} as stat_avg_l10,
        -- Sample standard deviation from the exact sums:
        -- sqrt((n * sum(x^2) - sum(x)^2) / (n * (n - 1))).
        case
            when games_l10 > 1
                then sqrt(greatest(
                    {{ nba_props.safe_divide(
                        'games_l10 * stat_squares_l10 - stat_sum_l10 * stat_sum_l10',
                        'games_l10 * (games_l10 - 1)'
                    ) }},
                    0
                ))
        end as stat_std_l10,
        {{ nba_props.safe_divide('36 * stat_sum_l10', 'minutes_l10') }} as stat_per36_l10,
        {{ nba_props.safe_divide('stat_sum_season', 'games_season') }} as stat_avg_season
    from window_sums
    where not is_history

)

select * from final
