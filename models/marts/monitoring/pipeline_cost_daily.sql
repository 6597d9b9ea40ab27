-- One row per day: what the pipeline cost, against the daily budget. On BigQuery the cost
-- is the bytes billed (at the on-demand price per TiB, var bq_usd_per_tib) and the slot time; on
-- DuckDB, where nothing is billed, it is the time the jobs took (the sum of their
-- durations, not the wall clock). The budget vars: daily_cost_budget_usd,
-- daily_duration_budget_seconds. The newest day is the one the budget test checks.
with

jobs as (

    select * from {{ ref('pipeline_job_costs') }}

),

per_day as (

    select
        job_date as cost_date,
        count(*) as jobs,
        count(distinct run_id) as runs,
        count(case when job_status in ('error', 'runtime error') then 1 end) as jobs_failed,
        sum(duration_seconds) as duration_seconds,
        sum(rows_affected) as rows_affected,
        sum(bytes_processed) as bytes_processed,
        sum(bytes_billed) as bytes_billed,
        sum(slot_ms) as slot_ms
    from jobs
    group by job_date

),

final as (

    select
        cost_date,
        jobs,
        runs,
        jobs_failed,
        duration_seconds,
        rows_affected,
        bytes_processed,
        bytes_billed,
        slot_ms,
        bytes_billed / 1099511627776.0 * {{ var('bq_usd_per_tib') }} as estimated_cost_usd,
        {{ var('daily_cost_budget_usd') }} as budget_usd,
        {{ var('daily_duration_budget_seconds') }} as budget_duration_seconds,
        coalesce(bytes_billed / 1099511627776.0 * {{ var('bq_usd_per_tib') }}, 0)
        > {{ var('daily_cost_budget_usd') }}
        or coalesce(duration_seconds, 0) > {{ var('daily_duration_budget_seconds') }}
            as is_over_budget,
        cost_date = max(cost_date) over () as is_newest_day
    from per_day

)

select * from final
