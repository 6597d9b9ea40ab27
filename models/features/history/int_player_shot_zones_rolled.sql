-- Each player's shot profile AFTER each competitive game in which he took a shot:
-- attempts and makes by zone over his last 10 shooting games and the season to date.
-- Incremental by game date (macro nba_props.rolling_history).
{{ config(**nba_props.rolling_history_config(['player_id', 'game_id'])) }}
{%- set zones = nba_props.shot_zones() %}
with

zone_shots as (

    select * from {{ ref('int_shot_zone_games_aggregated') }}

),

player_games as (

    select
        player_id,
        game_id,
        min(game_date) as game_date,
        min(season_start_year) as season_start_year,
        {%- for z in zones %}
        sum(case when shot_zone = '{{ z.zone }}' then attempts else 0 end) as {{ z.zone }}_fga,
        sum(case when shot_zone = '{{ z.zone }}' then makes else 0 end) as {{ z.zone }}_fgm,
        {%- endfor %}
        sum(attempts) as zone_fga
    from zone_shots
    group by player_id, game_id

),

-- The window's games (is_history = false) and the earlier games their windows need
-- (is_history = true), with each player's last event number before the window.
rolling_input as (

    {{ nba_props.rolling_history('player_games', ['player_id']) }}

),

numbered as (

    select
        *,
        event_number_offset + row_number() over (
            partition by player_id, is_history order by game_date, game_id
        ) as event_number
    from rolling_input

),

window_sums as (

    select
        player_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        {%- for z in zones %}
        sum({{ z.zone }}_fga) over last_10 as {{ z.zone }}_fga_l10,
        sum({{ z.zone }}_fgm) over last_10 as {{ z.zone }}_fgm_l10,
        sum({{ z.zone }}_fga) over season_to_date as {{ z.zone }}_fga_season,
        sum({{ z.zone }}_fgm) over season_to_date as {{ z.zone }}_fgm_season,
        {%- endfor %}
        count(*) over last_10 as shot_games_l10,
        sum(zone_fga) over last_10 as fga_l10,
        sum(zone_fga) over season_to_date as fga_season,
        count(*) over season_to_date as shot_games_season,
        is_history
    from numbered
    window
        last_10 as (
            partition by player_id order by game_date, game_id
            rows between 9 preceding and current row
        ),
        season_to_date as (
            partition by player_id, season_start_year order by game_date, game_id
            rows between unbounded preceding and current row
        )

),

final as (

    select
        player_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        {%- for z in zones %}
        {{ z.zone }}_fga_l10,
        {{ z.zone }}_fgm_l10,
        {{ z.zone }}_fga_season,
        {{ z.zone }}_fgm_season,
        {%- endfor %}
        shot_games_l10,
        fga_l10,
        fga_season,
        shot_games_season
    from window_sums
    where not is_history

)

select * from final
