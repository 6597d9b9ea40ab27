-- Injury report rows with the player and team resolved to NBA.com ids (the report's id
-- first, else the resolved name). Names that do not resolve stay here with a null id and
-- are listed in unresolved_entities.
with

injuries as (

    select * from {{ ref('stg_nbacom__injury_report') }}

),

names as (

    select * from {{ ref('int_player_names_resolved') }}

),

team_codes as (

    select * from {{ ref('int_team_codes_unioned') }}

),

final as (

    select
        injuries.report_time,
        injuries.game_date,
        injuries.team_code,
        team_codes.team_id,
        injuries.player_name,
        coalesce(injuries.reported_player_id, names.player_id) as player_id,
        injuries.injury_status,
        injuries.reason as injury_reason
    from injuries
    left join names
        on injuries.player_name = names.player_name
    left join team_codes
        on injuries.team_code = team_codes.team_code

)

select * from final
