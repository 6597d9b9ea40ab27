{#-
    A materialized view on BigQuery (non-incremental: window functions and outer joins),
    a view on DuckDB. It reads base tables only: the run log (a source table) and
    game_day_data_quality (a table).
-#}
{{ config(**nba_props.mv_config(non_incremental=true, max_staleness_minutes=60, refresh_interval_minutes=30)) }}

-- One row per day: the day's tests and source freshness (the last dbt run of the day that
-- ran them), what was loaded, and the data-quality state of that day's games (final games
-- without both box scores, unmatched names and teams, box-score load lag).
with

execution_log as (

    select * from {{ source('nba_monitoring', 'processor_execution_log') }}

),

game_days as (

    select * from {{ ref('game_day_data_quality') }}

),

dbt_node_runs as (

    select
        invocation_id,
        command,
        resource_type,
        status,
        cast(coalesce(finished_at, logged_at) as date) as run_date,
        coalesce(finished_at, logged_at) as finished_at
    from execution_log
    where
        job_type = 'dbt'
        and resource_type in ('test', 'unit_test', 'source')

),

invocations as (

    select
        invocation_id,
        case when resource_type = 'source' then 'freshness' else 'tests' end as check_kind,
        max(run_date) as run_date,
        max(finished_at) as finished_at
    from dbt_node_runs
    group by 1, 2

),

latest_invocation_per_day as (

    select
        invocation_id,
        check_kind,
        run_date,
        row_number() over (
            partition by check_kind, run_date
            order by finished_at desc
        ) as recency_rank,
        count(*) over (partition by check_kind, run_date) as invocations_that_day
    from invocations

),

test_results as (

    select
        latest.run_date as summary_date,
        max(latest.invocations_that_day) as dbt_test_runs,
        count(*) as tests_run,
        count(case when runs.status = 'pass' then 1 end) as tests_passed,
        count(case when runs.status = 'warn' then 1 end) as tests_warned,
        count(case when runs.status in ('fail', 'error') then 1 end) as tests_failed,
        count(case when runs.status = 'skipped' then 1 end) as tests_skipped
    from latest_invocation_per_day as latest
    inner join dbt_node_runs as runs
        on
            latest.invocation_id = runs.invocation_id
            and runs.resource_type in ('test', 'unit_test')
    where
        latest.check_kind = 'tests'
        and latest.recency_rank = 1
    group by 1

),

freshness_results as (

    select
        latest.run_date as summary_date,
        count(*) as sources_checked,
        count(case when runs.status = 'pass' then 1 end) as sources_fresh,
        count(case when runs.status = 'warn' then 1 end) as sources_stale_warn,
        count(case when runs.status in ('error', 'runtime error') then 1 end) as sources_stale_error
    from latest_invocation_per_day as latest
    inner join dbt_node_runs as runs
        on
            latest.invocation_id = runs.invocation_id
            and runs.resource_type = 'source'
    where
        latest.check_kind = 'freshness'
        and latest.recency_rank = 1
    group by 1

),

loads as (

    select
        cast(started_at as date) as summary_date,
        count(case when status = 'success' then 1 end) as files_loaded,
        count(case when status = 'skipped' then 1 end) as files_skipped_as_loaded_before,
        count(case when status = 'error' then 1 end) as load_errors,
        cast(coalesce(sum(case when status = 'success' then rows_affected end), 0) as {{ dbt.type_bigint() }})
            as rows_loaded
    from execution_log
    where job_type = 'load'
    group by 1

),

days as (

    select summary_date from test_results
    union distinct
    select summary_date from freshness_results
    union distinct
    select summary_date from loads
    union distinct
    select game_date as summary_date from game_days

),

final as (

    select
        days.summary_date,
        coalesce(test_results.dbt_test_runs, 0) as dbt_test_runs,
        coalesce(test_results.tests_run, 0) as tests_run,
        coalesce(test_results.tests_passed, 0) as tests_passed,
        coalesce(test_results.tests_warned, 0) as tests_warned,
        coalesce(test_results.tests_failed, 0) as tests_failed,
        coalesce(test_results.tests_skipped, 0) as tests_skipped,
        coalesce(freshness_results.sources_checked, 0) as sources_checked,
        coalesce(freshness_results.sources_fresh, 0) as sources_fresh,
        coalesce(freshness_results.sources_stale_warn, 0) as sources_stale_warn,
        coalesce(freshness_results.sources_stale_error, 0) as sources_stale_error,
        coalesce(loads.files_loaded, 0) as files_loaded,
        coalesce(loads.files_skipped_as_loaded_before, 0) as files_skipped_as_loaded_before,
        coalesce(loads.load_errors, 0) as load_errors,
        coalesce(loads.rows_loaded, 0) as rows_loaded,
        coalesce(game_days.games_final, 0) as games_final,
        coalesce(game_days.games_missing_box_score, 0) as games_missing_box_score,
        coalesce(game_days.unmatched_player_names, 0) as unmatched_player_names,
        coalesce(game_days.games_with_unknown_team_code, 0) as games_with_unknown_team_code,
        coalesce(game_days.prop_games_not_found, 0) as prop_games_not_found,
        game_days.box_score_lag_hours
    from days
    left join test_results
        on days.summary_date = test_results.summary_date
    left join freshness_results
        on days.summary_date = freshness_results.summary_date
    left join loads
        on days.summary_date = loads.summary_date
    left join game_days
        on days.summary_date = game_days.game_date

)

select * from final
