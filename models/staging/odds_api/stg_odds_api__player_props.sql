with

source as (

    select * from {{ source('odds_api', 'odds_api_player_props') }}

),

latest_version as (

    select
        *,
        row_number() over (
            partition by
                game, game_time, player, market, bookmaker,
                -- BigQuery cannot partition by a FLOAT64: key on the line's text.
                cast(line as {{ dbt.type_string() }}),
                snapshot_time
            order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

renamed as (

    select
        event_id,
        game as game_label,
        trim({{ dbt.split_part('game', "' @ '", 1) }}) as away_team_name,
        trim({{ dbt.split_part('game', "' @ '", 2) }}) as home_team_name,
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
    where version_rank = 1

)

select * from renamed
