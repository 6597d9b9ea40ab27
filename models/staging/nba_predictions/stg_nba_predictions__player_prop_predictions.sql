-- The ML workers' predictions with their contract enforced: a column the worker drops,
-- renames or retypes fails the build here, before grading reads it.
with

source as (

    select * from {{ source('nba_predictions', 'player_prop_predictions') }}

),

final as (

    select
        prediction_id,
        run_mode,
        system_id,
        system_version,
        model_version,
        feature_version,
        game_id,
        game_date,
        player_id,
        market,
        predicted_value,
        prob_over,
        prob_under,
        confidence,
        edge,
        recommendation,
        edge_threshold,
        line,
        consensus_line,
        bookmaker,
        over_odds,
        under_odds,
        line_timestamp,
        prediction_as_of,
        training_cutoff_date,
        n_training_rows,
        run_id,
        created_at
    from source

)

select * from final
