-- A table, not a view: the BigQuery materialized view odds_api_game_lines_preferred_mv
-- may only read tables.
{{ config(materialized='table') }}

-- Every bookmaker's game line (spread, total, moneylines) for each game, versioned like
-- the player props: valid from the time it was known until the book's next snapshot of
-- the game. Closing-line exports carry no snapshot time: their line counts from tip-off
-- (or the game date when the schedule has no tip-off time). Only pre-game lines are kept.
with

game_lines as (

    select * from {{ ref('int_game_lines_resolved') }}
    where resolution_status = 'resolved'

),

games as (

    select * from {{ ref('int_games_unified') }}

),

timed as (

    select
        game_lines.game_id,
        game_lines.game_date,
        games.game_time_utc as commence_time_utc,
        game_lines.bookmaker,
        game_lines.home_team_id,
        game_lines.away_team_id,
        game_lines.home_spread,
        game_lines.game_total,
        game_lines.moneyline_home,
        game_lines.moneyline_away,
        coalesce(
            game_lines.snapshot_time,
            games.game_time_utc,
            cast(game_lines.game_date as {{ dbt.type_timestamp() }})
        ) as line_timestamp
    from game_lines
    inner join games
        on game_lines.game_id = games.game_id

),

final as (

    select
        *,
        line_timestamp as valid_from,
        lead(line_timestamp) over (
            partition by game_id, bookmaker
            order by line_timestamp
        ) as valid_to
    from timed
    where commence_time_utc is null or line_timestamp <= commence_time_utc

)

select * from final
