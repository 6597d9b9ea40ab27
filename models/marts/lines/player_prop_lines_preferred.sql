-- The preferred and the consensus line of each (player, game, market), as of any
-- moment before tip-off. Each time a book moves, a new version starts; the version
-- valid at time T (valid_from <= T < valid_to, valid_to null = still current) holds:
--   preferred: among the books with a line at T (each book's latest snapshot at or
--              before T), the one ranked first in the bookmaker_priority seed;
--   consensus: the median of those books' lines.
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
    where {{ nba_props.incremental_window_filter('game_date') }}

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

ranked as (

    select
        *,
        row_number() over (
            partition by game_id, player_id, market, version_start
            order by bookmaker_priority, bookmaker
        ) as preference_rank,
        row_number() over (
            partition by game_id, player_id, market, version_start
            order by line, bookmaker
        ) as line_order,
        count(bookmaker) over (
            partition by game_id, player_id, market, version_start
        ) as n_books
    from lines_at_change

),

-- The median written out (the middle line, or the mean of the two middle lines), so
-- it is exact and the same on every engine.
consensus as (

    select
        game_id,
        player_id,
        market,
        version_start,
        avg(
            case
                when line_order in (floor((n_books + 1) / 2.0), floor((n_books + 2) / 2.0)) then line
            end
        ) as consensus_line,
        min(line) as min_line,
        max(line) as max_line,
        max(n_books) as n_books
    from ranked
    group by game_id, player_id, market, version_start

),

preferred as (

    select * from ranked
    where preference_rank = 1

),

final as (

    select
        preferred.game_id,
        preferred.player_id,
        preferred.market,
        preferred.game_date,
        preferred.commence_time_utc,
        preferred.version_start as valid_from,
        lead(preferred.version_start) over (
            partition by preferred.game_id, preferred.player_id, preferred.market
            order by preferred.version_start
        ) as valid_to,
        preferred.bookmaker,
        preferred.bookmaker_priority,
        preferred.line,
        preferred.over_odds,
        preferred.under_odds,
        preferred.line_timestamp,
        consensus.consensus_line,
        consensus.min_line,
        consensus.max_line,
        consensus.n_books
    from preferred
    inner join consensus
        on
            preferred.game_id = consensus.game_id
            and preferred.player_id = consensus.player_id
            and preferred.market = consensus.market
            and preferred.version_start = consensus.version_start

)

select
    *,
    valid_to is null as is_closing
from final
-- A moment when every book had pulled its line ends the version before it, and starts none.
where bookmaker is not null
