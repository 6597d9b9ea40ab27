{#-
    A materialized view on BigQuery (non-incremental: window functions), a view on DuckDB.
    It reads base tables only: player_game_summary (an incremental table) and nba_players.
-#}
{{ config(**nba_props.mv_config(non_incremental=true, max_staleness_minutes=240)) }}

-- Every player who played in the current (newest) season, with his latest team and
-- per-game averages. The current season is the newest one with a box score, so the view
-- needs no clock and gives the same answer on both engines.
with

player_games as (

    select * from {{ ref('player_game_summary') }}
    -- BigQuery: a partition filter (require_partition_filter); every row on both engines.
    where {{ nba_props.all_partitions('game_date') }}

),

players as (

    select * from {{ ref('nba_players') }}

),

current_season as (

    select max(season_start_year) as season_start_year
    from player_games

),

season_games as (

    select player_games.*
    from player_games
    inner join current_season
        on player_games.season_start_year = current_season.season_start_year

),

latest_game as (

    select
        player_id,
        team_id,
        team_tricode,
        row_number() over (
            partition by player_id
            order by game_date desc, game_id desc
        ) as recency_rank
    from season_games

),

season_totals as (

    select
        player_id,
        max(season) as season,
        max(season_start_year) as season_start_year,
        count(*) as games_played,
        count(case when is_starter then 1 end) as games_started,
        min(game_date) as first_game_date,
        max(game_date) as last_game_date,
        avg(minutes) as minutes_per_game,
        avg(points) as points_per_game,
        avg(rebounds) as rebounds_per_game,
        avg(assists) as assists_per_game,
        avg(threes_made) as threes_made_per_game
    from season_games
    group by player_id

),

final as (

    select
        season_totals.player_id,
        players.player_name,
        season_totals.season,
        season_totals.season_start_year,
        latest_game.team_id,
        latest_game.team_tricode,
        season_totals.games_played,
        season_totals.games_started,
        season_totals.first_game_date,
        season_totals.last_game_date,
        season_totals.minutes_per_game,
        season_totals.points_per_game,
        season_totals.rebounds_per_game,
        season_totals.assists_per_game,
        season_totals.threes_made_per_game,
        coalesce(players.is_listed_active, false) as is_listed_active
    from season_totals
    inner join latest_game
        on
            season_totals.player_id = latest_game.player_id
            and latest_game.recency_rank = 1
    left join players
        on season_totals.player_id = players.player_id

)

select * from final
