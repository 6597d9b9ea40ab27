-- Field-goal attempts and makes per (game, shooting player) and zone, for competitive
-- games, with the shooting team and the defending team. Long: one row per zone with
-- attempts. Backcourt heaves and unknown zones are left out of the zone models.
-- A table, incremental by game date (one game's rows depend on that game only): the three
-- zone models and their tests read it instead of re-aggregating every shot.
{{ config(**nba_props.fact_config(
    date_column='game_date',
    unique_key=['game_id', 'player_id', 'shot_zone'],
    cluster_by=['player_id'],
    large=false,
    replace_window=true,
)) }}
{%- set zone_list = [] %}
{%- for z in nba_props.shot_zones() %}
{%- do zone_list.append("'" ~ z.zone ~ "'") %}
{%- endfor %}
with

shots as (

    select * from {{ ref('stg_nbacom__shot_detail') }}
    where {{ nba_props.incremental_window('game_date') }}

),

games as (

    select * from {{ ref('int_games_unified') }}
    where {{ nba_props.incremental_window('game_date') }}

),

final as (

    select
        shots.game_id,
        games.game_date,
        games.season_start_year,
        shots.player_id,
        shots.team_id,
        case
            when shots.team_id = games.home_team_id then games.away_team_id
            when shots.team_id = games.away_team_id then games.home_team_id
        end as defending_team_id,
        shots.shot_zone,
        count(*) as attempts,
        sum(case when shots.shot_made then 1 else 0 end) as makes,
        sum(case when shots.shot_made then (case when shots.is_three then 3 else 2 end) else 0 end)
            as points_scored
    from shots
    inner join games
        on shots.game_id = games.game_id
    where
        games.is_competitive
        and shots.shot_zone in ({{ zone_list | join(', ') }})
    group by
        shots.game_id,
        games.game_date,
        games.season_start_year,
        shots.player_id,
        shots.team_id,
        games.home_team_id,
        games.away_team_id,
        shots.shot_zone

)

select * from final
