-- The settled value of every prop market for every player-game with a box score
-- (int_prop_outcomes_unpivoted): one row per (game, player, market). What the ML workers
-- train and grade on (nba_props.predict.settings.PROP_OUTCOMES): a view with a contract.
with

outcomes as (

    select * from {{ ref('int_prop_outcomes_unpivoted') }}

),

final as (

    select
        game_id,
        player_id,
        market,
        game_date,
        team_id,
        stat_column,
        minutes,
        actual_value
    from outcomes

)

select * from final
