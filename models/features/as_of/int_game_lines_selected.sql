-- One game line per game as a feature row may see it: among the bookmakers' versions
-- valid at the cut-off (tip-off for played games; as_of_time, else the current line, for
-- upcoming ones; see nba_props.line_valid_at_cut_off), the most preferred bookmaker's.
with

book_lines as (

    select * from {{ ref('int_game_lines_versioned') }}

),

bookmakers as (

    select * from {{ ref('bookmaker_priority') }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

ranked as (

    select
        book_lines.game_id,
        book_lines.game_date,
        book_lines.bookmaker,
        book_lines.home_spread,
        book_lines.game_total,
        book_lines.line_timestamp,
        row_number() over (
            partition by book_lines.game_id
            order by coalesce(bookmakers.priority, 999), book_lines.bookmaker
        ) as preference_rank
    from book_lines
    cross join as_of
    left join bookmakers
        on book_lines.bookmaker = bookmakers.bookmaker
    where
        {{ nba_props.line_valid_at_cut_off('book_lines', 'as_of') }}
        and (book_lines.home_spread is not null or book_lines.game_total is not null)

),

final as (

    select
        game_id,
        game_date,
        bookmaker as game_line_bookmaker,
        home_spread,
        game_total,
        line_timestamp as game_line_timestamp
    from ranked
    where preference_rank = 1

)

select * from final
