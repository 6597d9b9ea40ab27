-- One row per job of the pipeline: a dbt node run, a load, a scrape, a prediction run, and
-- on BigQuery every query and load job the warehouse billed. What each cost: its duration
-- and rows (the execution log, both engines) and, on BigQuery, the bytes billed and slot
-- time BigQuery itself recorded (INFORMATION_SCHEMA.JOBS, grouped by the job labels the
-- project sets: see macros/monitoring/warehouse_jobs.sql). On BigQuery the dbt and load
-- rows come from JOBS only, so no job counts twice; DuckDB has no JOBS, and there the
-- execution log is the whole record. Run ids are lower case (BigQuery label values are).
-- dbt logs a build's nodes when the build ends, so a build sees the nodes of the builds
-- before it, and the Python jobs of its own run.
with

execution_log as (

    select * from {{ source('nba_monitoring', 'processor_execution_log') }}

),

warehouse_jobs as (

    select * from {{ nba_props.warehouse_jobs() }} as jobs

),

logged_jobs as (

    select
        cast(null as {{ dbt.type_string() }}) as job_id,
        lower(run_id) as run_id,
        invocation_id,
        case when job_type = 'dbt' then 'dbt_' || resource_type else job_type end
            as pipeline_step,
        case
            when job_type = 'dbt' and resource_type = 'source'
                then
                    {{ dbt.split_part('job_name', "'.'", 3) }}
                    || '.' || {{ dbt.split_part('job_name', "'.'", 4) }}
            when job_type = 'dbt' then {{ dbt.split_part('job_name', "'.'", 3) }}
            -- load.<raw table>, scrape.<source>, alert.<channel>; predict <date> is one step
            when {{ dbt.position("'.'", 'job_name') }} > 0
                then {{ dbt.split_part('job_name', "'.'", 2) }}
            else job_type
        end as model_name,
        status as job_status,
        coalesce(started_at, logged_at) as started_at,
        finished_at,
        duration_seconds,
        rows_affected,
        bytes_processed,
        cast(null as {{ dbt.type_bigint() }}) as bytes_billed,
        cast(null as {{ dbt.type_bigint() }}) as slot_ms,
        'execution_log' as cost_source
    from execution_log
    where not ({{ nba_props.warehouse_records_jobs() }} and job_type in ('dbt', 'load'))

),

billed_jobs as (

    select
        job_id,
        run_id,
        invocation_id,
        pipeline_step,
        model_name,
        job_status,
        started_at,
        finished_at,
        duration_seconds,
        rows_affected,
        bytes_processed,
        bytes_billed,
        slot_ms,
        'information_schema_jobs' as cost_source
    from warehouse_jobs

),

unioned as (

    select * from logged_jobs
    union all
    select * from billed_jobs

),

final as (

    select
        cast(started_at as date) as job_date,
        *
    from unioned
    where started_at is not null

)

select * from final
