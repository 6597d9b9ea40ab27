-- Review queue for name resolution: each unresolved sportsbook name with its closest
-- registry candidates by last name, to turn into rows of seeds/player_name_aliases.csv.
with

unresolved as (

    select * from {{ ref('unresolved_entities') }}
    where entity_kind = 'player_name'

),

registry as (

    select * from {{ ref('nba_players') }}

),

final as (

    select
        unresolved.entity_value as sportsbook_name,
        unresolved.reason,
        unresolved.occurrences,
        registry.player_id as candidate_player_id,
        registry.player_name as candidate_name,
        registry.latest_team_tricode as candidate_team
    from unresolved
    left join registry
        on
            {{ dbt.split_part(nba_props.normalize_person_name('unresolved.entity_value'), "' '", 2) }}
            = {{ dbt.split_part('registry.name_key', "' '", 2) }}

)

select * from final
order by occurrences desc, sportsbook_name asc
