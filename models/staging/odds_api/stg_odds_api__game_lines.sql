with

source as (

    select * from {{ source('odds_api', 'odds_api_game_lines') }}

),

latest_version as (

    select
        *,
        row_number() over (
            partition by date, away, home, snapshot_time
            order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

renamed as (

    select
        season as season_end_year,
        date as game_date,
        regular as is_regular_season,
        playoffs as is_playoffs,
        upper(trim(away)) as away_team_code,
        upper(trim(home)) as home_team_code,
        score_away as away_points,
        score_home as home_points,
        lower(whos_favored) as favored_side,
        spread as spread_unsigned,
        -- Signed from the home side: negative when home is favoured.
        case
            when lower(whos_favored) = 'home' then -spread
            when lower(whos_favored) = 'away' then spread
        end as home_spread,
        total as game_total,
        moneyline_away,
        moneyline_home,
        coalesce(lower(bookmaker), 'consensus') as bookmaker,
        snapshot_time,
        _load_id as load_id,
        _loaded_at as loaded_at
    from latest_version
    where version_rank = 1

)

select * from renamed
