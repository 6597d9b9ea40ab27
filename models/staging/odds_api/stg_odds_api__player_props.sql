-- The newest row of each line: a re-delivered file replaces the older one's rows.
-- Ephemeral: compiled into its one reader (int_player_props_resolved), so a run that
-- names a window (start_date: daily, backfill) deduplicates only the lines of that
-- window's games, not all of them (12M rows at 20 seasons). The tip-off is part of the
-- key, so the filter keeps or drops whole keys and the dedup is exact; it is a superset of
-- the window (game_date_from_utc never gives a date later than the UTC date).
{{ config(materialized='ephemeral') }}

with

latest_version as (

    {{ nba_props.latest_rows(
        source('odds_api', 'odds_api_player_props'),
        ['game', 'game_time', 'player', 'market', 'bookmaker', 'line', 'snapshot_time'],
        where=nba_props.incremental_window('game_date', kind='timestamp_filter', source_column='game_time'),
    ) }}

),

renamed as (

    select
        event_id,
        -- The teams are split out of the label once per game: stg_odds_api__player_prop_games.
        game as game_label,
        game_time as commence_time_utc,
        {{ nba_props.game_date_from_utc('game_time') }} as game_date,
        player as player_name,
        lower(market) as market,
        line,
        lower(bookmaker) as bookmaker,
        over_odds,
        under_odds,
        snapshot_time,
        bookmaker_last_update,
        market_last_update,
        -- When the line was known: the snapshot, else the book's last update, else (a
        -- closing-line export) the tip-off.
        coalesce(snapshot_time, bookmaker_last_update, market_last_update, game_time)
            as line_timestamp,
        _load_id as load_id,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from latest_version

)

select * from renamed
