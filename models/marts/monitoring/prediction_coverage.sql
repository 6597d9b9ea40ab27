-- Per game day and market: the players with a resolved line, and how many of them got a
-- live prediction (from any system). Days count from the first live prediction on, and up
-- to the newest one, so seasons before the ML workers ran and days not predicted yet do
-- not read as gaps.
with

props as (

    select * from {{ ref('int_player_props_resolved') }}
    where resolution_status = 'resolved'

),

predictions as (

    select * from {{ ref('stg_nba_predictions__player_prop_predictions') }}
    where run_mode = 'live'

),

prediction_window as (

    select
        min(game_date) as first_prediction_date,
        max(game_date) as last_prediction_date
    from predictions

),

players_with_line as (

    select distinct
        props.game_date,
        props.market,
        props.game_id,
        props.player_id
    from props
    cross join prediction_window
    where props.game_date between prediction_window.first_prediction_date and prediction_window.last_prediction_date

),

players_predicted as (

    select
        game_id,
        player_id,
        market,
        count(distinct system_id) as systems
    from predictions
    group by game_id, player_id, market

),

final as (

    select
        players_with_line.game_date,
        players_with_line.market,
        count(*) as players_with_line,
        count(players_predicted.player_id) as players_predicted,
        count(*) - count(players_predicted.player_id) as players_missing_prediction,
        {{ nba_props.safe_divide('count(players_predicted.player_id)', 'count(*)') }} as coverage,
        max(players_predicted.systems) as max_systems_per_player
    from players_with_line
    left join players_predicted
        on
            players_with_line.game_id = players_predicted.game_id
            and players_with_line.player_id = players_predicted.player_id
            and players_with_line.market = players_predicted.market
    group by players_with_line.game_date, players_with_line.market

)

select * from final
