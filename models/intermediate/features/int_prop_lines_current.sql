-- The newest line of each (game, player, market, bookmaker): the source of
-- prop_line_movement_snapshot (timestamp strategy on line_timestamp).
with

props as (

    select * from {{ ref('int_player_props_resolved') }}
    where resolution_status = 'resolved'

),

ranked as (

    select
        *,
        row_number() over (
            partition by game_id, player_id, market, bookmaker
            order by line_timestamp desc, line
        ) as recency_rank
    from props

),

final as (

    select
        game_id,
        player_id,
        market,
        bookmaker,
        game_date,
        line,
        over_odds,
        under_odds,
        line_timestamp
    from ranked
    where recency_rank = 1

)

select * from final
