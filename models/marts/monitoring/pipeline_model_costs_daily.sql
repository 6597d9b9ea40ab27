-- Per day, pipeline step and model (or raw table, or source): how often it ran, how long it
-- took per run, the rows it wrote and, on BigQuery, the bytes billed and slot time. The
-- cost tests compare each day with the model's own recent history: bytes that jump (a
-- z-score) and a run time well above its recent median (slowness). Skipped nodes did no
-- work and are left out.
with

jobs as (

    select * from {{ ref('pipeline_job_costs') }}
    where job_status != 'skipped'

),

final as (

    select
        job_date as cost_date,
        pipeline_step,
        model_name,
        count(*) as jobs,
        count(distinct coalesce(invocation_id, run_id)) as runs,
        sum(duration_seconds) as duration_seconds,
        {{ nba_props.safe_divide('sum(duration_seconds)', 'count(distinct coalesce(invocation_id, run_id))') }}
            as duration_per_run_seconds,
        max(duration_seconds) as max_duration_seconds,
        sum(rows_affected) as rows_affected,
        sum(bytes_processed) as bytes_processed,
        sum(bytes_billed) as bytes_billed,
        sum(slot_ms) as slot_ms
    from jobs
    group by job_date, pipeline_step, model_name

)

select * from final
