{#-
    A materialized view on BigQuery (materialization nba_materialized_view, see
    macros/materializations/); a view on DuckDB. Window functions make it a
    non-incremental MV, which BigQuery allows with a max staleness. It reads tables only
    (int_game_lines_versioned is a table for that reason, and a seed).
-#}
{{ config(**nba_props.mv_config(
    cluster_by=['game_id'],
    non_incremental=true,
    max_staleness_minutes=240,
)) }}

-- One row per game: the current (latest pre-game) game line of the preferred book, and
-- the consensus (median) spread and total across every book quoting the game.
with

book_lines as (

    select * from {{ ref('int_game_lines_versioned') }}
    where valid_to is null

),

bookmakers as (

    select * from {{ ref('bookmaker_priority') }}

),

ranked as (

    select
        book_lines.*,
        -- Books missing from the seed (e.g. 'consensus' exports) rank after every listed book.
        coalesce(bookmakers.priority, 999) as bookmaker_priority,
        row_number() over (
            partition by book_lines.game_id
            order by coalesce(bookmakers.priority, 999), book_lines.bookmaker
        ) as preference_rank,
        row_number() over (
            partition by book_lines.game_id
            order by book_lines.home_spread is null, book_lines.home_spread, book_lines.bookmaker
        ) as spread_order,
        row_number() over (
            partition by book_lines.game_id
            order by book_lines.game_total is null, book_lines.game_total, book_lines.bookmaker
        ) as total_order,
        count(book_lines.home_spread) over (partition by book_lines.game_id) as n_spreads,
        count(book_lines.game_total) over (partition by book_lines.game_id) as n_totals,
        count(*) over (partition by book_lines.game_id) as n_books
    from book_lines
    left join bookmakers
        on book_lines.bookmaker = bookmakers.bookmaker

),

-- Medians written out, exact and the same on every engine (nulls are ordered last, so
-- the non-null values hold ranks 1..n).
consensus as (

    select
        game_id,
        avg(
            case
                when
                    spread_order in (floor((n_spreads + 1) / 2.0), floor((n_spreads + 2) / 2.0))
                    then home_spread
            end
        ) as consensus_home_spread,
        avg(
            case
                when
                    total_order in (floor((n_totals + 1) / 2.0), floor((n_totals + 2) / 2.0))
                    then game_total
            end
        ) as consensus_game_total,
        max(n_books) as n_books
    from ranked
    group by game_id

),

final as (

    select
        ranked.game_id,
        ranked.game_date,
        ranked.commence_time_utc,
        ranked.home_team_id,
        ranked.away_team_id,
        ranked.bookmaker,
        ranked.bookmaker_priority,
        ranked.home_spread,
        ranked.game_total,
        ranked.moneyline_home,
        ranked.moneyline_away,
        ranked.line_timestamp,
        consensus.consensus_home_spread,
        consensus.consensus_game_total,
        consensus.n_books
    from ranked
    inner join consensus
        on ranked.game_id = consensus.game_id
    where ranked.preference_rank = 1

)

select * from final
