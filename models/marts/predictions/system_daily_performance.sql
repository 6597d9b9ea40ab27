-- Per system (and version), day and market: how many predictions, their accuracy
-- (MAE, bias) next to the line's own accuracy, and how the recommended plays did at
-- the recorded odds (hit rate, ROI). Sums are kept so windows can be re-aggregated.
-- Probability scores are summed over the rows where both the system's and the market's
-- P(over | no push) are scored, so that the Brier skill score compares like with like:
-- brier_skill = 1 - Brier(system) / Brier(no-vig market), > 0 when the system is better.
-- Closing-line value: over the plays whose book has a closing quote.
{%- set both_scored = 'brier_score is not null and market_brier_score is not null' %}
{%- set is_play = "bet_result in ('win', 'loss', 'push')" %}
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
        sum(case when {{ both_scored }} then 1 else 0 end) as n_probability_scored,
        sum(case when {{ both_scored }} then brier_score end) as sum_brier_score,
        sum(case when {{ both_scored }} then market_brier_score end) as sum_market_brier_score,
        sum(case when {{ both_scored }} then log_loss end) as sum_log_loss,
        sum(case when {{ both_scored }} then market_log_loss end) as sum_market_log_loss,
        sum(case when {{ is_play }} and clv_line is not null then 1 else 0 end) as n_clv,
        sum(case when {{ is_play }} then clv_line end) as sum_clv_line,
        sum(case when {{ is_play }} and clv_probability is not null then 1 else 0 end)
            as n_clv_probability,
        sum(case when {{ is_play }} then clv_probability end) as sum_clv_probability,
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
        {{ nba_props.safe_divide('profit_units', 'units_staked') }} as roi,
        {{ nba_props.safe_divide('sum_brier_score', 'n_probability_scored') }} as brier_score,
        {{ nba_props.safe_divide('sum_market_brier_score', 'n_probability_scored') }}
            as market_brier_score,
        1 - {{ nba_props.safe_divide('sum_brier_score', 'sum_market_brier_score') }}
            as brier_skill,
        {{ nba_props.safe_divide('sum_log_loss', 'n_probability_scored') }} as log_loss,
        {{ nba_props.safe_divide('sum_market_log_loss', 'n_probability_scored') }}
            as market_log_loss,
        {{ nba_props.safe_divide('sum_clv_line', 'n_clv') }} as mean_clv_line,
        {{ nba_props.safe_divide('sum_clv_probability', 'n_clv_probability') }}
            as mean_clv_probability
    from aggregated

)

select * from final
