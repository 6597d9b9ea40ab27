-- Each team's defence by zone AFTER each competitive game: what opponents attempted and
-- made in each zone over the team's last 10 games and the season to date.
{%- set zones = nba_props.shot_zones() %}
with

zone_shots as (

    select * from {{ ref('int_shot_zone_games_aggregated') }}
    where defending_team_id is not null

),

team_games as (

    select
        defending_team_id as team_id,
        game_id,
        min(game_date) as game_date,
        min(season_start_year) as season_start_year,
        {%- for z in zones %}
        sum(case when shot_zone = '{{ z.zone }}' then attempts else 0 end) as {{ z.zone }}_fga,
        sum(case when shot_zone = '{{ z.zone }}' then makes else 0 end) as {{ z.zone }}_fgm,
        {%- endfor %}
        sum(attempts) as zone_fga,
        sum(points_scored) as zone_points
    from zone_shots
    group by defending_team_id, game_id

),

numbered as (

    select
        *,
        row_number() over (partition by team_id order by game_date, game_id) as event_number
    from team_games

),

final as (

    select
        team_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        {%- for z in zones %}
        sum({{ z.zone }}_fga) over last_10 as opp_{{ z.zone }}_fga_l10,
        sum({{ z.zone }}_fgm) over last_10 as opp_{{ z.zone }}_fgm_l10,
        sum({{ z.zone }}_fga) over season_to_date as opp_{{ z.zone }}_fga_season,
        sum({{ z.zone }}_fgm) over season_to_date as opp_{{ z.zone }}_fgm_season,
        {%- endfor %}
        count(*) over last_10 as games_l10,
        count(*) over season_to_date as games_season,
        sum(zone_fga) over last_10 as opp_fga_l10,
        sum(zone_fga) over season_to_date as opp_fga_season,
        sum(zone_points) over last_10 as opp_points_l10
    from numbered
    window
        last_10 as (
            partition by team_id order by game_date, game_id
            rows between 9 preceding and current row
        ),
        season_to_date as (
            partition by team_id, season_start_year order by game_date, game_id
            rows between unbounded preceding and current row
        )

)

select * from final
