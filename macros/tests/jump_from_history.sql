{#
    Fails with the newest values of a metric that jump above their own recent history: a
    day's cost against the days before it, a model's bytes or run time against its earlier
    runs. The plain check for where Elementary is off (its column_anomalies do the same
    where it is on; both are declared in the YAML).

    Per group (group_by: a model, a pipeline step; none: the whole series), every value of
    the last detection_days, counted back from the newest date in the model (so a replay and
    a late run are judged as of their own data, not the clock), is compared with the same
    group's values of the training_days before it:

    - baseline='mean': a z-score. Flagged when (value - mean) / stddev > max_zscore. The
      stddev is floored at min_relative_stddev x mean, so a flat history still flags a jump.
    - baseline='median': slowness. Flagged when value > max_ratio x median.

    Either way the group needs min_training_points earlier values, and the value must exceed
    its baseline by at least min_increase (in the column's unit), so that tiny values
    jumping (0.1 s to 0.4 s) stay quiet. One failing row per flagged (group, date), with the
    value, the baseline, the z-score and the ratio to the median. timestamp_column is a date.
#}
{% test jump_from_history(
    model,
    column_name,
    timestamp_column,
    group_by=[],
    baseline='mean',
    training_days=28,
    detection_days=1,
    min_training_points=7,
    max_zscore=3,
    min_relative_stddev=0.05,
    max_ratio=3,
    min_increase=0
) %}
    {%- if baseline not in ('mean', 'median') -%}
        {{ exceptions.raise_compiler_error(
            "jump_from_history: baseline must be 'mean' or 'median', not '" ~ baseline ~ "'"
        ) }}
    {%- endif %}
    with

    series as (

        select
            {%- for column in group_by %}
            {{ column }},
            {%- endfor %}
            {{ timestamp_column }} as metric_date,
            {{ column_name }} as metric_value
        from {{ model }}
        where {{ column_name }} is not null

    ),

    newest as (

        select max(metric_date) as newest_date
        from series

    ),

    detection as (

        select series.*
        from series
        cross join newest
        where series.metric_date > {{ nba_props.add_days('newest.newest_date', -(detection_days | int)) }}

    ),

    history as (

        select
            {%- for column in group_by %}
            detection.{{ column }},
            {%- endfor %}
            detection.metric_date,
            detection.metric_value,
            count(*) as training_points,
            avg(training.metric_value) as baseline_mean,
            coalesce(stddev_samp(training.metric_value), 0) as baseline_stddev,
            {{ nba_props.median('training.metric_value') }} as baseline_median
        from detection
        inner join series as training
            on
                {%- for column in group_by %}
                training.{{ column }} is not distinct from detection.{{ column }} and
                {%- endfor %}
                training.metric_date < detection.metric_date
                and training.metric_date >= {{ nba_props.add_days('detection.metric_date', -(training_days | int)) }}
        group by
            {%- for column in group_by %}
            detection.{{ column }},
            {%- endfor %}
            detection.metric_date,
            detection.metric_value

    ),

    scored as (

        select
            *,
            (metric_value - baseline_mean) / nullif(
                greatest(baseline_stddev, abs(baseline_mean) * {{ min_relative_stddev }}), 0
            ) as zscore,
            {{ nba_props.safe_divide('metric_value', 'baseline_median') }} as ratio_to_median
        from history

    )

    select *
    from scored
    where
        training_points >= {{ min_training_points | int }}
        and metric_value - baseline_{{ baseline }} >= {{ min_increase }}
        {%- if baseline == 'mean' %}
        and zscore > {{ max_zscore }}
        {%- else %}
        and ratio_to_median > {{ max_ratio }}
        {%- endif %}
{% endtest %}
