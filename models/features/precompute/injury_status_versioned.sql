-- Each player's injury-report status for a game date, as versions: a report's status is
-- valid from its report time until the player's next report for that date (valid_to null
-- = the latest). Only reports published before the game's tip-off count, so the latest
-- version is what was known at tip-off. The ML readers join the version valid at their
-- prediction time (a 16:00 prediction sees the 15:30 report, not the 18:30 one);
-- ml_feature_store_v2 takes the same tip-off cut for its training rows.
{%- set latest_tip_off_minute = 16 * 60 %}
with

reports as (

    select * from {{ ref('int_injury_reports_resolved') }}
    where player_id is not null

),

games as (

    select * from {{ ref('int_games_unified') }}

),

-- The tip-off of the reporting team's game that date. Reports count up to it; without a
-- known tip-off time, up to 16:00 UTC of the date (11:00 US Eastern in winter, before any NBA tip-off),
-- so a report published after the game can never pass.
reports_with_tip_off as (

    select
        reports.player_id,
        reports.game_date,
        reports.report_time,
        reports.injury_status,
        min(games.game_time_utc) as tip_off_utc
    from reports
    left join games
        on
            reports.game_date = games.game_date
            and reports.team_id in (games.home_team_id, games.away_team_id)
    group by
        reports.player_id,
        reports.game_date,
        reports.report_time,
        reports.injury_status

),

pre_game as (

    select
        *,
        -- One status per report time (two rows of one report).
        row_number() over (
            partition by player_id, game_date, report_time
            order by injury_status
        ) as duplicate_rank
    from reports_with_tip_off
    where
        (tip_off_utc is not null and report_time <= tip_off_utc)
        or (
            tip_off_utc is null
            and {{ nba_props.minutes_after_midnight('report_time', 'game_date') }} <= {{ latest_tip_off_minute }}
        )

),

final as (

    select
        player_id,
        game_date,
        report_time as valid_from,
        lead(report_time) over (
            partition by player_id, game_date
            order by report_time
        ) as valid_to,
        injury_status,
        cast({{ nba_props.play_probability('injury_status') }} as {{ nba_props.type_double() }})
            as play_probability
    from pre_game
    where duplicate_rank = 1

)

select
    *,
    {{ nba_props.minutes_after_midnight('valid_from', 'game_date') }} as valid_from_minute,
    {{ nba_props.minutes_after_midnight('valid_to', 'game_date') }} as valid_to_minute
from final
