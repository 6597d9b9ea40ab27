-- Each bookmaker's current pre-game main line per (game, player, market) of the open and
-- recent games (game date on or after as_of_date - lookback_days): the source of
-- prop_line_movement_snapshot (timestamp strategy on line_timestamp). Only those games'
-- lines can still move; the full history of every game's lines is in
-- player_prop_lines_preferred (valid_from / valid_to), so the snapshot does not re-read
-- years of closed games on every run.
with

book_lines as (

    select * from {{ ref('int_player_prop_lines_versioned') }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

final as (

    select
        book_lines.game_id,
        book_lines.player_id,
        book_lines.market,
        book_lines.bookmaker,
        book_lines.game_date,
        book_lines.line,
        book_lines.over_odds,
        book_lines.under_odds,
        book_lines.line_timestamp
    from book_lines
    cross join as_of
    where
        book_lines.valid_to is null
        and book_lines.game_date
        >= {{ nba_props.add_days('as_of.as_of_date', -1 * var('lookback_days') | int) }}

)

select * from final
