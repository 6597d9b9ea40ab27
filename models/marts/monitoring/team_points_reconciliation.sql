-- Team totals recomputed from player rows, reconciled against the team logs. A
-- difference means missing or wrong player rows; the real 2024-25 player file is
-- partial (about 75% of player-games), so differences are expected there.
with

team_games as (

    select * from {{ ref('int_team_games_paired') }}

),

player_totals as (

    select
        game_id,
        team_id,
        count(*) as player_rows,
        sum(points) as player_points,
        sum(field_goals_made) as player_field_goals_made,
        sum(rebounds) as player_rebounds,
        sum(assists) as player_assists
    from {{ ref('stg_nbacom__player_game_logs') }}
    group by game_id, team_id

),

final as (

    select
        team_games.game_id,
        team_games.team_id,
        team_games.game_date,
        team_games.game_type,
        team_games.team_tricode,
        team_games.points as team_points,
        coalesce(player_totals.player_points, 0) as player_points,
        team_games.points - coalesce(player_totals.player_points, 0) as points_difference,
        team_games.field_goals_made - coalesce(player_totals.player_field_goals_made, 0)
            as field_goals_made_difference,
        team_games.rebounds - coalesce(player_totals.player_rebounds, 0) as rebounds_difference,
        team_games.assists - coalesce(player_totals.player_assists, 0) as assists_difference,
        coalesce(player_totals.player_rows, 0) as player_rows,
        case
            when player_totals.player_rows is null then 'no_player_rows'
            when team_games.points = player_totals.player_points then 'reconciled'
            else 'mismatch'
        end as reconciliation_status
    from team_games
    left join player_totals
        on
            team_games.game_id = player_totals.game_id
            and team_games.team_id = player_totals.team_id

)

select * from final
