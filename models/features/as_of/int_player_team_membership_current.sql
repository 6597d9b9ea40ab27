-- Each player's current team (his newest stint): the source of the SCD2 snapshot
-- player_team_membership_snapshot, which records trades and signings run by run.
with

stints as (

    select * from {{ ref('int_player_team_stints_derived') }}

),

final as (

    select
        player_id,
        team_id,
        team_tricode,
        valid_from as member_since,
        last_game_date,
        games_in_stint
    from stints
    where is_current_stint

)

select * from final
