-- Every player name seen in a sportsbook or injury feed, resolved to an NBA.com id:
-- first through the aliases, then by normalized name. Ties between several players with
-- the same normalized name are broken by box-score presence, the active flag and the
-- name suffix; a tie that remains stays unresolved ('ambiguous'), never guessed.
with

prop_names as (

    -- Keys computed once per distinct name, not once per line (millions of rows).
    select
        player_name,
        {{ nba_props.normalize_person_name('player_name') }} as player_name_key,
        {{ nba_props.normalize_person_name('player_name', keep_suffix=true) }}
            as player_name_key_with_suffix,
        'odds_api' as source_system
    from {{ ref('stg_odds_api__player_prop_names') }}

),

injury_names as (

    select
        player_name,
        player_name_key,
        {{ nba_props.normalize_person_name('player_name', keep_suffix=true) }}
            as player_name_key_with_suffix,
        'nbacom_injury_report' as source_system
    from {{ ref('stg_nbacom__injury_report') }}

),

names as (

    select distinct
        player_name,
        player_name_key,
        player_name_key_with_suffix
    from (
        select * from prop_names
        union all
        select * from injury_names
    ) as all_names

),

aliases as (

    select * from {{ ref('stg_reference__player_aliases') }}

),

registry as (

    select * from {{ ref('int_player_registry_unioned') }}

),

candidates as (

    select
        names.player_name,
        registry.player_id,
        rank() over (
            partition by names.player_name
            order by
                registry.has_box_scores desc,
                registry.is_listed_active desc,
                case
                    when registry.name_key_with_suffix = names.player_name_key_with_suffix
                        then 1
                    else 0
                end desc
        ) as candidate_rank,
        count(*) over (partition by names.player_name) as candidate_count
    from names
    inner join registry
        on names.player_name_key = registry.name_key

),

best_candidates as (

    select
        player_name,
        min(player_id) as player_id,
        count(*) as top_candidates,
        max(candidate_count) as candidate_count
    from candidates
    where candidate_rank = 1
    group by player_name

),

final as (

    select
        names.player_name,
        names.player_name_key,
        coalesce(
            aliases.player_id,
            case when best_candidates.top_candidates = 1 then best_candidates.player_id end
        ) as player_id,
        case
            when aliases.player_id is not null then 'alias'
            when best_candidates.candidate_count = 1 then 'normalized_name'
            when best_candidates.top_candidates = 1 then 'normalized_name_tiebreak'
        end as resolution_method,
        case
            when aliases.player_id is not null or best_candidates.top_candidates = 1
                then 'resolved'
            when best_candidates.top_candidates > 1 then 'ambiguous'
            else 'unmatched'
        end as resolution_status,
        coalesce(best_candidates.candidate_count, 0) as candidate_count
    from names
    left join aliases
        on names.player_name_key = aliases.alias_key
    left join best_candidates
        on names.player_name = best_candidates.player_name

)

select * from final
