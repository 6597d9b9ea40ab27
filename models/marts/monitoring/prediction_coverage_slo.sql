-- The prediction-coverage SLO, one row per game day: of the player-games (player x
-- market) with a resolved pre-game line in a market the project models, the share that got
-- a live prediction (the daily run predicts from the lines before tip-off), against the
-- target var prediction_coverage_slo. Lines that never resolved (unknown player or game,
-- unmodelled markets) are not in the denominator: unresolved_entities and
-- prediction_coverage (per market, with its not_predicted_* counts) have those.
with

coverage as (

    select * from {{ ref('prediction_coverage') }}
    -- null coverage: a market the project does not model
    where coverage is not null

),

per_day as (

    select
        game_date,
        count(*) as markets,
        sum(players_with_line) as player_games_with_line,
        sum(players_predicted) as player_games_predicted,
        sum(players_missing_prediction) as player_games_missing
    from coverage
    group by game_date

),

final as (

    select
        game_date,
        markets,
        player_games_with_line,
        player_games_predicted,
        player_games_missing,
        {{ nba_props.safe_divide('player_games_predicted', 'player_games_with_line') }} as coverage,
        {{ var('prediction_coverage_slo') }} as slo_target,
        coalesce(
            {{ nba_props.safe_divide('player_games_predicted', 'player_games_with_line') }}
            >= {{ var('prediction_coverage_slo') }},
            true
        ) as meets_slo
    from per_day

)

select * from final
