-- The preferred game line of each game as of any moment before tip-off, as versions (like
-- player_prop_lines_preferred): the row with valid_from <= T < valid_to (valid_to null =
-- still current) holds the line of the first book of the bookmaker_priority seed among
-- those with a line at T (each book's latest snapshot at or before T). The ML readers
-- join the version valid at their prediction time, so a prediction made at 16:00 sees
-- the spread and total known at 16:00, not the closing ones of the feature store's
-- training rows. valid_from_minute / valid_to_minute: the same times as minutes after
-- 00:00 UTC of the game date (lead-time training reads versions at "HH:MM").
with

book_lines as (

    select * from {{ ref('int_game_lines_versioned') }}
    where home_spread is not null or game_total is not null

),

bookmakers as (

    select * from {{ ref('bookmaker_priority') }}

),

change_points as (

    select
        game_id,
        valid_from as version_start
    from book_lines
    union distinct
    select
        game_id,
        valid_to as version_start
    from book_lines
    where valid_to is not null

),

lines_at_change as (

    select
        change_points.game_id,
        change_points.version_start,
        book_lines.game_date,
        book_lines.bookmaker,
        book_lines.home_spread,
        book_lines.game_total,
        book_lines.line_timestamp,
        coalesce(bookmakers.priority, 999) as bookmaker_priority
    from change_points
    inner join book_lines
        on
            change_points.game_id = book_lines.game_id
            and change_points.version_start >= book_lines.valid_from
            and (book_lines.valid_to is null or change_points.version_start < book_lines.valid_to)
    left join bookmakers
        on book_lines.bookmaker = bookmakers.bookmaker

),

versions as (

    select
        game_id,
        version_start,
        {{ nba_props.first_row_by(
            ['game_date', 'bookmaker', 'home_spread', 'game_total', 'line_timestamp'],
            ['bookmaker_priority', 'bookmaker'],
        ) }} as preferred
    from lines_at_change
    group by game_id, version_start

),

final as (

    select
        versions.game_id,
        versions.preferred.game_date,
        versions.version_start as valid_from,
        lead(versions.version_start) over (
            partition by versions.game_id
            order by versions.version_start
        ) as valid_to,
        versions.preferred.bookmaker,
        versions.preferred.home_spread,
        versions.preferred.game_total,
        versions.preferred.line_timestamp
    from versions

)

select
    *,
    {{ nba_props.minutes_after_midnight('valid_from', 'game_date') }} as valid_from_minute,
    {{ nba_props.minutes_after_midnight('valid_to', 'game_date') }} as valid_to_minute
from final
