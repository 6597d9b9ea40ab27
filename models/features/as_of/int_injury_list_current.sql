-- The current injury list: players named on their team's newest injury report, with
-- their newest status. The source of injury_status_snapshot (a player who drops off the
-- report is invalidated there).
with

reports as (

    select * from {{ ref('int_injury_reports_resolved') }}
    where player_id is not null and team_id is not null

),

team_newest as (

    select
        team_id,
        max(report_time) as newest_report_time
    from reports
    group by team_id

),

ranked as (

    select
        reports.*,
        row_number() over (
            partition by reports.player_id
            order by reports.report_time desc, reports.game_date desc, reports.team_id asc
        ) as recency_rank
    from reports
    inner join team_newest
        on
            reports.team_id = team_newest.team_id
            and reports.report_time = team_newest.newest_report_time

),

final as (

    select
        player_id,
        team_id,
        player_name,
        game_date,
        injury_status,
        injury_reason,
        report_time
    from ranked
    where recency_rank = 1

)

select * from final
