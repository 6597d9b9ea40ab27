-- Rolling performance: for each system, market and day it predicted, the accuracy and
-- betting results over the trailing windows of var('performance_rolling_days') calendar
-- days ending that day, re-aggregated from the daily sums (so MAE is per prediction).
with

daily as (

    select * from {{ ref('system_daily_performance') }}

),

windows as (
    {%- for days in var('performance_rolling_days') %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select {{ days }} as window_days
    {%- endfor %}
),

anchors as (

    select
        daily.run_mode,
        daily.system_id,
        daily.system_version,
        daily.market,
        daily.game_date,
        windows.window_days
    from daily
    cross join windows

),

windowed as (

    select
        anchors.run_mode,
        anchors.system_id,
        anchors.system_version,
        anchors.market,
        anchors.game_date,
        anchors.window_days,
        count(*) as n_days,
        sum(daily.n_predictions) as n_predictions,
        sum(daily.n_graded) as n_graded,
        sum(daily.sum_absolute_error) as sum_absolute_error,
        sum(daily.sum_signed_error) as sum_signed_error,
        sum(daily.sum_line_absolute_error) as sum_line_absolute_error,
        sum(daily.n_recommended) as n_recommended,
        sum(daily.n_wins) as n_wins,
        sum(daily.n_losses) as n_losses,
        sum(daily.n_pushes) as n_pushes,
        sum(daily.units_staked) as units_staked,
        sum(daily.profit_units) as profit_units
    from anchors
    inner join daily
        on
            anchors.run_mode = daily.run_mode
            and anchors.system_id = daily.system_id
            and anchors.system_version = daily.system_version
            and anchors.market = daily.market
            and anchors.game_date >= daily.game_date
            and {{ nba_props.add_days('anchors.game_date', '-anchors.window_days') }} < daily.game_date
    group by
        anchors.run_mode,
        anchors.system_id,
        anchors.system_version,
        anchors.market,
        anchors.game_date,
        anchors.window_days

),

final as (

    select
        *,
        {{ nba_props.safe_divide('sum_absolute_error', 'n_graded') }} as mae,
        {{ nba_props.safe_divide('sum_signed_error', 'n_graded') }} as bias,
        {{ nba_props.safe_divide('sum_line_absolute_error', 'n_graded') }} as line_mae,
        {{ nba_props.safe_divide('n_wins', 'n_wins + n_losses') }} as hit_rate,
        {{ nba_props.safe_divide('profit_units', 'units_staked') }} as roi
    from windowed

)

select * from final
