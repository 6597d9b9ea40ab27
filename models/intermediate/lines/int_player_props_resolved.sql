-- Sportsbook player props with the player, teams and game resolved to NBA.com ids.
-- Rows that do not resolve are kept, with the reason, for unresolved_entities. The feed
-- sells more markets than the project models: a market missing from prop_markets is kept
-- as market_not_modelled (a known market, prop_markets_not_modelled) or market_unknown
-- (new to the project), counted and warned about downstream, never a build failure.
-- Lean on purpose (12M rows at 20 seasons): the line, its game and player, and the raw
-- row it came from (load_id, source_row_number); staging keeps the rest.
-- A table, incremental by game date: millions of lines a season, read by the line models,
-- the monitoring marts and their tests. A name that resolves differently later (a new
-- alias) changes older rows only on a backfill of their dates or a --full-refresh.
{{ config(**nba_props.fact_config(
    date_column='game_date',
    unique_key=['load_id', 'source_row_number'],
    cluster_by=['game_date', 'player_id'],
    large=false,
    replace_window=true,
)) }}

with

props as (

    select * from {{ ref('stg_odds_api__player_props') }}
    where
        {{ nba_props.incremental_window('game_date') }}
        and {{ nba_props.incremental_window(
            'game_date', kind='timestamp_filter', source_column='commence_time_utc'
        ) }}

),

names as (

    select * from {{ ref('int_player_names_resolved') }}

),

team_codes as (

    select * from {{ ref('int_team_codes_unioned') }}

),

modelled_markets as (

    select * from {{ ref('prop_markets') }}

),

known_markets as (

    select * from {{ ref('prop_markets_not_modelled') }}

),

games as (

    select * from {{ ref('int_games_unified') }}
    where {{ nba_props.incremental_window('game_date') }}

),

-- Each listed game once (thousands, against millions of lines): its teams, and the
-- NBA.com game on (date, home, away).
listed_games as (

    select * from {{ ref('stg_odds_api__player_prop_games') }}
    where
        {{ nba_props.incremental_window('game_date') }}
        and {{ nba_props.incremental_window(
            'game_date', kind='timestamp_filter', source_column='commence_time_utc'
        ) }}

),

listed_games_resolved as (

    select
        listed_games.game_label,
        listed_games.commence_time_utc,
        home_teams.team_id as home_team_id,
        away_teams.team_id as away_team_id,
        games.game_id
    from listed_games
    left join team_codes as home_teams
        on upper(listed_games.home_team_name) = home_teams.team_code
    left join team_codes as away_teams
        on upper(listed_games.away_team_name) = away_teams.team_code
    left join games
        on
            listed_games.game_date = games.game_date
            and home_teams.team_id = games.home_team_id
            and away_teams.team_id = games.away_team_id

),

final as (

    select
        props.game_label,
        props.commence_time_utc,
        props.game_date,
        props.player_name,
        props.market,
        props.line,
        props.bookmaker,
        props.over_odds,
        props.under_odds,
        props.snapshot_time,
        props.line_timestamp,
        props.load_id,
        props.source_row_number,
        names.player_id,
        listed_games_resolved.game_id,
        case
            when known_markets.market is not null then 'market_not_modelled'
            when modelled_markets.market is null then 'market_unknown'
            when listed_games_resolved.home_team_id is null or listed_games_resolved.away_team_id is null
                then 'unknown_team'
            when listed_games_resolved.game_id is null then 'game_not_found'
            when names.player_id is null then 'player_' || names.resolution_status
            else 'resolved'
        end as resolution_status
    from props
    left join modelled_markets
        on props.market = modelled_markets.market
    left join known_markets
        on props.market = known_markets.market
    left join names
        on props.player_name = names.player_name
    left join listed_games_resolved
        on
            props.game_label = listed_games_resolved.game_label
            and props.commence_time_utc = listed_games_resolved.commence_time_utc

)

select * from final
