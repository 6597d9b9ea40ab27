-- One game line per game: the most preferred bookmaker's newest line at the cut-off
-- (tip-off; for upcoming games also as_of_time when set). A line without a snapshot
-- time is a closing line, timed at tip-off (or the end of the game date).
with

game_lines as (

    select * from {{ ref('int_game_lines_resolved') }}
    where resolution_status = 'resolved'

),

games as (

    select * from {{ ref('int_games_unified') }}

),

bookmakers as (

    select * from {{ ref('bookmaker_priority') }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

timed as (

    select
        game_lines.game_id,
        game_lines.game_date,
        game_lines.bookmaker,
        game_lines.home_spread,
        game_lines.game_total,
        coalesce(bookmakers.priority, 999) as bookmaker_priority,
        coalesce(
            game_lines.snapshot_time,
            games.game_time_utc,
            cast({{ nba_props.add_days('game_lines.game_date', 1) }} as timestamp)
        ) as line_timestamp,
        coalesce(
            games.game_time_utc,
            cast({{ nba_props.add_days('game_lines.game_date', 1) }} as timestamp)
        ) as tip_off_time,
        game_lines.game_date >= as_of.as_of_date as is_upcoming,
        as_of.as_of_time
    from game_lines
    inner join games
        on game_lines.game_id = games.game_id
    left join bookmakers
        on game_lines.bookmaker = bookmakers.bookmaker
    cross join as_of

),

ranked as (

    select
        *,
        row_number() over (
            partition by game_id
            order by bookmaker_priority, bookmaker, line_timestamp desc
        ) as preference_rank
    from timed
    where
        line_timestamp <= tip_off_time
        and (not is_upcoming or as_of_time is null or line_timestamp <= as_of_time)
        and (home_spread is not null or game_total is not null)

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
