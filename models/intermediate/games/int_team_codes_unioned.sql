-- Every team code spelling we accept (NBA.com tri-codes, ESPN codes, legacy codes, full
-- names) mapped to the NBA.com team.
with

teams as (

    select * from {{ ref('nba_teams') }}

),

aliases as (

    select * from {{ ref('team_code_aliases') }}

),

final as (

    select
        upper(aliases.team_code) as team_code,
        aliases.code_system,
        teams.team_id,
        teams.team_tricode,
        teams.team_full_name
    from aliases
    inner join teams
        on aliases.team_tricode = teams.team_tricode

)

select * from final
