-- The preferred and the consensus line of each (player, game, market), as of any
-- moment before tip-off. Each time a book moves, a new version starts; the version
-- valid at time T (valid_from <= T < valid_to, valid_to null = still current) holds:
--   preferred: among the books with a line at T (each book's latest snapshot at or
--              before T), the one ranked first in the bookmaker_priority seed;
--   consensus: the median of those books' lines;
--   books: every quoting book's line and prices (arrays ordered by book; 0 = no price);
--   opening: the first version's preferred line and prices (movement since then).
-- The ML workers read the version valid at their prediction time; nothing later.
-- Versions never cross games, so the table is incremental by game date.
{{ config(**nba_props.fact_config(
    date_column='game_date',
    unique_key=['game_id', 'player_id', 'market', 'valid_from'],
    cluster_by=['player_id', 'market'],
    large=false,
    replace_window=true,
)) }}

with

book_lines as (

    select * from {{ ref('int_player_prop_lines_versioned') }}
    where {{ nba_props.incremental_window('game_date') }}

),

bookmakers as (

    select * from {{ ref('bookmaker_priority') }}

),

-- A version starts wherever a book's line starts or ends (a pulled line ends it).
change_points as (

    select
        game_id,
        player_id,
        market,
        valid_from as version_start
    from book_lines
    union distinct
    select
        game_id,
        player_id,
        market,
        valid_to as version_start
    from book_lines
    where valid_to is not null

),

lines_at_change as (

    select
        change_points.game_id,
        change_points.player_id,
        change_points.market,
        change_points.version_start,
        book_lines.game_date,
        book_lines.commence_time_utc,
        book_lines.bookmaker,
        book_lines.line,
        book_lines.over_odds,
        book_lines.under_odds,
        book_lines.line_timestamp,
        -- Books missing from the seed rank after every listed book.
        coalesce(bookmakers.priority, 999) as bookmaker_priority
    from change_points
    left join book_lines
        on
            change_points.game_id = book_lines.game_id
            and change_points.player_id = book_lines.player_id
            and change_points.market = book_lines.market
            and change_points.version_start >= book_lines.valid_from
            and (book_lines.valid_to is null or change_points.version_start < book_lines.valid_to)
    left join bookmakers
        on book_lines.bookmaker = bookmakers.bookmaker

),

-- One row per version: the preferred book's line (first in the seed, then by name) and
-- the consensus over every book with a line. An aggregate, not a ranking window per row.
versions as (

    select
        game_id,
        player_id,
        market,
        version_start,
        {{ nba_props.first_row_by(
            ['game_date', 'commence_time_utc', 'bookmaker', 'bookmaker_priority', 'line',
             'over_odds', 'under_odds', 'line_timestamp'],
            ['bookmaker_priority', 'bookmaker'],
        ) }} as preferred,
        {{ nba_props.median_value('line') }} as consensus_line,
        min(line) as min_line,
        max(line) as max_line,
        count(bookmaker) as n_books,
        {{ nba_props.ordered_array('line', 'bookmaker', 'bookmaker is not null') }} as book_lines,
        {{ nba_props.ordered_array('coalesce(over_odds, 0)', 'bookmaker', 'bookmaker is not null') }}
            as book_over_odds,
        {{ nba_props.ordered_array('coalesce(under_odds, 0)', 'bookmaker', 'bookmaker is not null') }}
            as book_under_odds
    from lines_at_change
    group by game_id, player_id, market, version_start

),

final as (

    select
        versions.game_id,
        versions.player_id,
        versions.market,
        versions.preferred.game_date,
        versions.preferred.commence_time_utc,
        versions.version_start as valid_from,
        lead(versions.version_start) over (
            partition by versions.game_id, versions.player_id, versions.market
            order by versions.version_start
        ) as valid_to,
        versions.preferred.bookmaker,
        versions.preferred.bookmaker_priority,
        versions.preferred.line,
        versions.preferred.over_odds,
        versions.preferred.under_odds,
        versions.preferred.line_timestamp,
        versions.consensus_line,
        versions.min_line,
        versions.max_line,
        versions.n_books,
        versions.book_lines,
        versions.book_over_odds,
        versions.book_under_odds,
        -- The first version of the line: known before every later version.
        first_value(versions.preferred.line) over (
            partition by versions.game_id, versions.player_id, versions.market
            order by versions.version_start
            rows between unbounded preceding and current row
        ) as opening_line,
        first_value(versions.preferred.over_odds) over (
            partition by versions.game_id, versions.player_id, versions.market
            order by versions.version_start
            rows between unbounded preceding and current row
        ) as opening_over_odds,
        first_value(versions.preferred.under_odds) over (
            partition by versions.game_id, versions.player_id, versions.market
            order by versions.version_start
            rows between unbounded preceding and current row
        ) as opening_under_odds,
        first_value(versions.consensus_line) over (
            partition by versions.game_id, versions.player_id, versions.market
            order by versions.version_start
            rows between unbounded preceding and current row
        ) as opening_consensus_line
    from versions

)

select
    *,
    valid_to is null as is_closing,
    -- The version's bounds in minutes after 00:00 UTC of the game date: a lead-time
    -- backtest trains on the version valid at "HH:MM" of each training game's date.
    {{ nba_props.minutes_after_midnight('valid_from', 'game_date') }} as valid_from_minute,
    {{ nba_props.minutes_after_midnight('valid_to', 'game_date') }} as valid_to_minute
from final
-- A moment when every book had pulled its line ends the version before it, and starts none.
where bookmaker is not null
