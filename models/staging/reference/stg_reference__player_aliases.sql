with

loaded_aliases as (

    select
        alias_name,
        player_id,
        coalesce(note, source) as note,
        'raw' as alias_origin,
        _loaded_at as loaded_at
    from {{ source('reference', 'player_aliases') }}

),

seeded_aliases as (

    select
        alias_name,
        player_id,
        note,
        'seed' as alias_origin,
        cast(null as timestamp) as loaded_at
    from {{ ref('player_name_aliases') }}

),

unioned as (

    select * from loaded_aliases
    union all
    select * from seeded_aliases

),

keyed as (

    select
        alias_name,
        {{ nba_props.normalize_person_name('alias_name') }} as alias_key,
        player_id,
        note,
        alias_origin,
        -- Loaded aliases override the seed; the newest load wins.
        row_number() over (
            partition by {{ nba_props.normalize_person_name('alias_name') }}
            order by case when alias_origin = 'raw' then 0 else 1 end, loaded_at desc
        ) as alias_rank
    from unioned

),

final as (

    select
        alias_name,
        alias_key,
        player_id,
        note,
        alias_origin
    from keyed
    where alias_rank = 1

)

select * from final
