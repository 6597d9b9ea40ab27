{#
    What the warehouse itself records about the pipeline's jobs, for the cost marts
    (models/marts/monitoring/pipeline_job_costs.sql).

    BigQuery bills per job and keeps every job of the project in
    `region-<location>`.INFORMATION_SCHEMA.JOBS: bytes billed, slot time, start and end, and
    the job labels. dbt's queries carry the labels of the query comment (app, dbt_node,
    dbt_resource, run_id; macros/bigquery/labels.sql) plus dbt_invocation_id; the loader's
    jobs carry app, component=loader, step (load, ddl), raw_table and run_id
    (nba_props/load/bigquery_loader.py). DuckDB has no such record: there the execution log
    (processor_execution_log) is the whole story, and warehouse_jobs() is empty.

    The JOBS view needs bigquery.jobs.listAll on the project (roles/bigquery.resourceViewer);
    var bq_jobs_view: JOBS_BY_USER reads only the dbt user's own jobs with no extra role.
#}

{# A derived table of the warehouse's job records, in the columns of pipeline_job_costs. #}
{% macro warehouse_jobs() -%}
    {{ return(adapter.dispatch('warehouse_jobs', 'nba_props')()) }}
{%- endmacro %}

{% macro default__warehouse_jobs() -%}
    (
        select
            cast(null as {{ dbt.type_string() }}) as job_id,
            cast(null as {{ dbt.type_string() }}) as run_id,
            cast(null as {{ dbt.type_string() }}) as invocation_id,
            cast(null as {{ dbt.type_string() }}) as pipeline_step,
            cast(null as {{ dbt.type_string() }}) as model_name,
            cast(null as {{ dbt.type_string() }}) as job_status,
            cast(null as {{ dbt.type_timestamp() }}) as started_at,
            cast(null as {{ dbt.type_timestamp() }}) as finished_at,
            cast(null as {{ nba_props.type_double() }}) as duration_seconds,
            cast(null as {{ dbt.type_bigint() }}) as rows_affected,
            cast(null as {{ dbt.type_bigint() }}) as bytes_processed,
            cast(null as {{ dbt.type_bigint() }}) as bytes_billed,
            cast(null as {{ dbt.type_bigint() }}) as slot_ms
        where 1 = 0
    )
{%- endmacro %}

{#
    One row per top-level job labelled app=nba_props in the last var cost_history_days:
    a script's child jobs are left out (the script's own row carries their bytes and slots).
#}
{% macro bigquery__warehouse_jobs() -%}
    {%- set location = (var('bq_jobs_region', none) or target.location or 'us') | lower -%}
    {%- set view = var('bq_jobs_view', 'JOBS') -%}
    (
        select
            jobs.job_id,
            {{ nba_props.bq_job_label('jobs.labels', 'run_id') }} as run_id,
            {{ nba_props.bq_job_label('jobs.labels', 'dbt_invocation_id') }} as invocation_id,
            case
                when {{ nba_props.bq_job_label('jobs.labels', 'dbt_resource') }} is not null
                    then concat('dbt_', {{ nba_props.bq_job_label('jobs.labels', 'dbt_resource') }})
                when {{ nba_props.bq_job_label('jobs.labels', 'dbt_invocation_id') }} is not null
                    then 'dbt_other'
                else coalesce({{ nba_props.bq_job_label('jobs.labels', 'step') }}, lower(jobs.job_type))
            end as pipeline_step,
            coalesce(
                {{ nba_props.bq_job_label('jobs.labels', 'dbt_node') }},
                {{ nba_props.bq_job_label('jobs.labels', 'raw_table') }},
                {{ nba_props.bq_job_label('jobs.labels', 'component') }},
                'other'
            ) as model_name,
            case when jobs.error_result is null then 'success' else 'error' end as job_status,
            jobs.start_time as started_at,
            jobs.end_time as finished_at,
            timestamp_diff(jobs.end_time, jobs.start_time, millisecond) / 1000.0 as duration_seconds,
            jobs.dml_statistics.inserted_row_count as rows_affected,
            jobs.total_bytes_processed as bytes_processed,
            jobs.total_bytes_billed as bytes_billed,
            jobs.total_slot_ms as slot_ms
        from `{{ target.database }}`.`region-{{ location }}`.INFORMATION_SCHEMA.{{ view }} as jobs
        where
            jobs.creation_time >= timestamp_sub(
                current_timestamp(), interval {{ var('cost_history_days') | int }} day
            )
            and jobs.parent_job_id is null
            and {{ nba_props.bq_job_label('jobs.labels', 'app') }} = 'nba_props'
    )
{%- endmacro %}

{# The value of one job label (BigQuery: labels is an array of key/value structs). #}
{% macro bq_job_label(labels, key) -%}
    (select label.value from unnest({{ labels }}) as label where label.key = '{{ key }}')
{%- endmacro %}

{#
    Whether warehouse_jobs() records the dbt and load jobs (true on BigQuery): then their
    execution-log rows are left out of the cost marts, so no job counts twice.
#}
{% macro warehouse_records_jobs() -%}
    {{ return(adapter.dispatch('warehouse_records_jobs', 'nba_props')()) }}
{%- endmacro %}

{% macro default__warehouse_records_jobs() -%}
    false
{%- endmacro %}

{% macro bigquery__warehouse_records_jobs() -%}
    true
{%- endmacro %}
