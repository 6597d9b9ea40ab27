-- Each bookmaker's current pre-game main line per (game, player, market): the source of
-- prop_line_movement_snapshot (timestamp strategy on line_timestamp).
with

book_lines as (

    select * from {{ ref('int_player_prop_lines_versioned') }}

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
    from book_lines
    where valid_to is null

)

select * from final
