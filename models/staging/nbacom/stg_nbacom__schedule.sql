with

source as (

    select * from {{ source('nbacom', 'nbacom_schedule') }}

),

latest_version as (

    select
        *,
        row_number() over (
            partition by game_id
            order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

renamed as (

    select
        lpad(game_id, 10, '0') as game_id,
        game_date,
        game_time_utc,
        season,
        home_team_id,
        upper(home_team_tricode) as home_team_tricode,
        away_team_id,
        upper(away_team_tricode) as away_team_tricode,
        lower(coalesce(game_status, 'scheduled')) as game_status,
        arena_name,
        _loaded_at as loaded_at
    from latest_version
    where version_rank = 1

)

select * from renamed
