-- Per day and pipeline step (scrape, load, each dbt resource type, predict, alert): jobs,
-- time per run, rows and, on BigQuery, bytes billed and slot time. A step whose time per
-- run rises well above its recent median is flagged (the slowdown test).
with

jobs as (

    select * from {{ ref('pipeline_job_costs') }}
    where job_status != 'skipped'

),

final as (

    select
        job_date as cost_date,
        pipeline_step,
        count(*) as jobs,
        count(distinct coalesce(invocation_id, run_id)) as runs,
        sum(duration_seconds) as duration_seconds,
        {{ nba_props.safe_divide('sum(duration_seconds)', 'count(distinct coalesce(invocation_id, run_id))') }}
            as duration_per_run_seconds,
        sum(rows_affected) as rows_affected,
        sum(bytes_processed) as bytes_processed,
        sum(bytes_billed) as bytes_billed,
        sum(slot_ms) as slot_ms
    from jobs
    group by job_date, pipeline_step

)

select * from final
