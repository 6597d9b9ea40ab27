-- Every bookmaker's main line for each (game, player, market), versioned: a line is
-- valid from the moment it was known until the same book's next snapshot of that game
-- and market. When the player is missing from that next snapshot, the book has pulled
-- the line and it no longer counts. Only lines known at or before tip-off are kept.
-- Every window below is within one game, so the table is incremental by game date.
{#- A quote: one book's lines for a player, game and market at one moment. -#}
{%- set quote_key = ['game_id', 'player_id', 'market', 'bookmaker', 'line_timestamp'] %}
{{ config(**nba_props.fact_config(
    date_column='game_date',
    unique_key=['game_id', 'player_id', 'market', 'bookmaker', 'valid_from'],
    cluster_by=['game_date', 'player_id', 'market'],
    large=false,
    replace_window=true,
)) }}

with

props as (

    select * from {{ ref('int_player_props_resolved') }}
    where
        resolution_status = 'resolved'
        and {{ nba_props.incremental_window('game_date') }}

),

pre_game as (

    select
        game_id,
        player_id,
        market,
        bookmaker,
        game_date,
        commence_time_utc,
        snapshot_time,
        line_timestamp,
        line,
        over_odds,
        under_odds
    from props
    where line_timestamp <= commence_time_utc

),

-- A book may quote alternate lines in one snapshot: its main line is the one whose two
-- prices are closest to each other (then the lower line, for a deterministic choice).
-- Nearly every quote is a single line, so only the quotes with several are ranked.
quotes_with_alternates as (

    select
        game_id,
        player_id,
        market,
        bookmaker,
        line_timestamp
    from pre_game
    group by game_id, player_id, market, bookmaker, line_timestamp
    having count(*) > 1

),

alternates_ranked as (

    select
        pre_game.*,
        row_number() over (
            partition by
                pre_game.game_id, pre_game.player_id, pre_game.market, pre_game.bookmaker,
                pre_game.line_timestamp
            order by
                abs(coalesce(
                    {{ nba_props.implied_probability('pre_game.over_odds') }}
                    - {{ nba_props.implied_probability('pre_game.under_odds') }},
                    0
                )),
                pre_game.line
        ) as line_rank
    from pre_game
    inner join quotes_with_alternates
        on {{ nba_props.entity_join('pre_game', 'quotes_with_alternates', quote_key) }}

),

main_lines as (

    select pre_game.*
    from pre_game
    left join quotes_with_alternates
        on {{ nba_props.entity_join('pre_game', 'quotes_with_alternates', quote_key) }}
    where quotes_with_alternates.game_id is null
    union all
    select
        game_id,
        player_id,
        market,
        bookmaker,
        game_date,
        commence_time_utc,
        snapshot_time,
        line_timestamp,
        line,
        over_odds,
        under_odds
    from alternates_ranked
    where line_rank = 1

),

-- Snapshot times of each book for a game and market (only for snapshot-timed data:
-- per-line update times say nothing about the other players).
book_snapshots as (

    select
        game_id,
        market,
        bookmaker,
        snapshot_time,
        lead(snapshot_time) over (
            partition by game_id, market, bookmaker
            order by snapshot_time
        ) as next_snapshot_time
    from (
        select distinct
            game_id,
            market,
            bookmaker,
            snapshot_time
        from pre_game
        where snapshot_time is not null
    ) as distinct_snapshots

),

sequenced as (

    select
        main_lines.*,
        lead(main_lines.line_timestamp) over (
            partition by main_lines.game_id, main_lines.player_id, main_lines.market, main_lines.bookmaker
            order by main_lines.line_timestamp
        ) as next_line_timestamp,
        book_snapshots.next_snapshot_time
    from main_lines
    left join book_snapshots
        on
            main_lines.game_id = book_snapshots.game_id
            and main_lines.market = book_snapshots.market
            and main_lines.bookmaker = book_snapshots.bookmaker
            and main_lines.snapshot_time = book_snapshots.snapshot_time

),

final as (

    select
        game_id,
        player_id,
        market,
        bookmaker,
        game_date,
        commence_time_utc,
        line,
        over_odds,
        under_odds,
        {{ nba_props.implied_probability('over_odds') }} as over_implied_probability,
        {{ nba_props.implied_probability('under_odds') }} as under_implied_probability,
        line_timestamp,
        line_timestamp as valid_from,
        -- The earlier of the book's next line for this player and its next snapshot of
        -- the game (written out: least() treats nulls differently across engines).
        case
            when next_snapshot_time is null then next_line_timestamp
            when next_line_timestamp is null then next_snapshot_time
            when next_snapshot_time < next_line_timestamp then next_snapshot_time
            else next_line_timestamp
        end as valid_to
    from sequenced

)

select * from final
