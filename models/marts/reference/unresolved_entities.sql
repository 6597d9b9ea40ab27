-- Everything that could not be matched, with counts, for review. Nothing that fails to
-- resolve is dropped silently: it is listed here, and warning tests report it.
with

props as (

    select * from {{ ref('int_player_props_resolved') }}

),

game_lines as (

    select * from {{ ref('int_game_lines_resolved') }}

),

names as (

    select * from {{ ref('int_player_names_resolved') }}

),

injuries as (

    select * from {{ ref('stg_nbacom__injury_report') }}

),

unresolved_prop_players as (

    select
        'player_name' as entity_kind,
        'odds_api_player_props' as source_table,
        props.player_name as entity_value,
        names.resolution_status as reason,
        count(*) as occurrences,
        min(props.game_date) as first_seen_date,
        max(props.game_date) as last_seen_date
    from props
    inner join names
        on props.player_name = names.player_name
    where names.resolution_status != 'resolved'
    group by 1, 2, 3, 4

),

unresolved_injury_players as (

    select
        'player_name' as entity_kind,
        'nbacom_injury_report' as source_table,
        injuries.player_name as entity_value,
        names.resolution_status as reason,
        count(*) as occurrences,
        min(injuries.game_date) as first_seen_date,
        max(injuries.game_date) as last_seen_date
    from injuries
    inner join names
        on injuries.player_name = names.player_name
    where names.resolution_status != 'resolved'
    group by 1, 2, 3, 4

),

unresolved_prop_games as (

    select
        case
            when resolution_status = 'unknown_team' then 'team_code'
            else 'prop_game'
        end as entity_kind,
        'odds_api_player_props' as source_table,
        game_label || ' on ' || cast(game_date as {{ dbt.type_string() }}) as entity_value,
        resolution_status as reason,
        count(*) as occurrences,
        min(game_date) as first_seen_date,
        max(game_date) as last_seen_date
    from props
    where resolution_status in ('unknown_team', 'game_not_found')
    group by 1, 2, 3, 4

),

-- Markets the feed sells that prop_markets does not model: known ones (yes/no,
-- quarter, play-by-play markets; prop_markets_not_modelled) and ones new to the project.
unmodelled_prop_markets as (

    select
        case
            when resolution_status = 'market_unknown' then 'prop_market'
            else 'prop_market_not_modelled'
        end as entity_kind,
        'odds_api_player_props' as source_table,
        market as entity_value,
        resolution_status as reason,
        count(*) as occurrences,
        min(game_date) as first_seen_date,
        max(game_date) as last_seen_date
    from props
    where resolution_status in ('market_unknown', 'market_not_modelled')
    group by 1, 2, 3, 4

),

unresolved_game_lines as (

    select
        case
            when resolution_status = 'unknown_team' then 'team_code'
            else 'game_line_game'
        end as entity_kind,
        'odds_api_game_lines' as source_table,
        away_team_code || ' @ ' || home_team_code || ' on '
        || cast(game_date as {{ dbt.type_string() }}) as entity_value,
        resolution_status as reason,
        count(*) as occurrences,
        min(game_date) as first_seen_date,
        max(game_date) as last_seen_date
    from game_lines
    where resolution_status != 'resolved'
    group by 1, 2, 3, 4

),

final as (

    select * from unresolved_prop_players
    union all
    select * from unresolved_injury_players
    union all
    select * from unresolved_prop_games
    union all
    select * from unmodelled_prop_markets
    union all
    select * from unresolved_game_lines

)

select * from final
