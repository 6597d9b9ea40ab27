with

source as (

    select * from {{ source('nbacom', 'nbacom_injury_report') }}

),

latest_version as (

    select
        *,
        row_number() over (
            partition by report_time, team, player_name
            order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

renamed as (

    select
        report_time,
        game_date,
        upper(team) as team_code,
        player_name,
        {{ nba_props.normalize_person_name('player_name') }} as player_name_key,
        player_id as reported_player_id,
        lower(status) as injury_status,
        reason,
        _loaded_at as loaded_at
    from latest_version
    where version_rank = 1

)

select * from renamed
