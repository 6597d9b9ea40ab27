with

source as (

    select * from {{ source('nbacom', 'nbacom_players') }}

),

latest_version as (

    select
        *,
        row_number() over (
            partition by id
            order by _loaded_at desc, _row_number desc
        ) as version_rank
    from source

),

renamed as (

    select
        id as player_id,
        full_name as player_name,
        first_name,
        last_name,
        coalesce(is_active, false) as is_active,
        {{ nba_props.normalize_person_name('full_name') }} as name_key,
        {{ nba_props.normalize_person_name('full_name', keep_suffix=true) }} as name_key_with_suffix
    from latest_version
    where version_rank = 1

)

select * from renamed
