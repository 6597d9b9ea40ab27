-- Per system (and version), day and market: how many predictions, their accuracy
-- (MAE, bias) next to the line's own accuracy, and how the recommended plays did at
-- the recorded odds (hit rate, ROI). Sums are kept so windows can be re-aggregated.
with

graded as (

    select * from {{ ref('prediction_accuracy') }}

),

aggregated as (

    select
        run_mode,
        system_id,
        system_version,
        game_date,
        market,
        count(*) as n_predictions,
        sum(case when grade_status = 'graded' then 1 else 0 end) as n_graded,
        sum(case when grade_status = 'void' then 1 else 0 end) as n_void,
        sum(case when grade_status = 'pending' then 1 else 0 end) as n_pending,
        sum(absolute_error) as sum_absolute_error,
        sum(signed_error) as sum_signed_error,
        sum(line_absolute_error) as sum_line_absolute_error,
        sum(case when recommendation != 'PASS' then 1 else 0 end) as n_recommended,
        sum(case when bet_result = 'win' then 1 else 0 end) as n_wins,
        sum(case when bet_result = 'loss' then 1 else 0 end) as n_losses,
        sum(case when bet_result = 'push' then 1 else 0 end) as n_pushes,
        sum(case when lean_result = 'win' then 1 else 0 end) as n_lean_wins,
        sum(case when lean_result = 'loss' then 1 else 0 end) as n_lean_losses,
        sum(units_staked) as units_staked,
        coalesce(sum(profit_units), 0) as profit_units,
        avg(confidence) as avg_confidence,
        count(distinct model_version) as n_model_versions
    from graded
    group by run_mode, system_id, system_version, game_date, market

),

final as (

    select
        *,
        {{ nba_props.safe_divide('sum_absolute_error', 'n_graded') }} as mae,
        {{ nba_props.safe_divide('sum_signed_error', 'n_graded') }} as bias,
        {{ nba_props.safe_divide('sum_line_absolute_error', 'n_graded') }} as line_mae,
        {{ nba_props.safe_divide('n_wins', 'n_wins + n_losses') }} as hit_rate,
        {{ nba_props.safe_divide('n_lean_wins', 'n_lean_wins + n_lean_losses') }} as lean_hit_rate,
        {{ nba_props.safe_divide('profit_units', 'units_staked') }} as roi
    from aggregated

)

select * from final
