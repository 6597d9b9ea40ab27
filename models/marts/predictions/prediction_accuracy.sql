-- Every prediction graded against the actual result and the line it used (the line is
-- the one recorded with the prediction: current at prediction time, never a later one).
-- grade_status: graded, void (the game is final but the player has no box score or
-- played no minutes: the prediction is void, the row is kept) or pending (not final).
-- bet_result settles the recommendation at the recorded odds: win, loss, push, void,
-- pending, or no_bet for PASS. A push returns the stake; a void is as if never placed.
with

predictions as (

    select * from {{ ref('stg_nba_predictions__player_prop_predictions') }}

),

outcomes as (

    select * from {{ ref('int_prop_outcomes_unpivoted') }}

),

games as (

    select * from {{ ref('int_games_unified') }}

),

joined as (

    select
        predictions.*,
        games.game_status,
        outcomes.minutes,
        outcomes.actual_value as box_score_value,
        case
            when games.game_status is null or games.game_status != 'final' then 'pending'
            when outcomes.actual_value is null or coalesce(outcomes.minutes, 0) <= 0 then 'void'
            else 'graded'
        end as grade_status
    from predictions
    left join games
        on predictions.game_id = games.game_id
    left join outcomes
        on
            predictions.game_id = outcomes.game_id
            and predictions.player_id = outcomes.player_id
            and predictions.market = outcomes.market

),

settled as (

    select
        *,
        case when grade_status = 'graded' then box_score_value end as actual_value,
        case
            when grade_status != 'graded' then null
            when box_score_value > line then 'over'
            when box_score_value < line then 'under'
            else 'push'
        end as line_outcome,
        case when prob_over >= prob_under then 'OVER' else 'UNDER' end as lean,
        case
            when recommendation = 'OVER' then over_odds
            when recommendation = 'UNDER' then under_odds
        end as recorded_bet_odds
    from joined

),

bets as (

    select
        *,
        case
            when recommendation = 'PASS' then 'no_bet'
            when grade_status = 'pending' then 'pending'
            when grade_status = 'void' then 'void'
            when line_outcome = 'push' then 'push'
            when lower(recommendation) = line_outcome then 'win'
            else 'loss'
        end as bet_result,
        case
            when grade_status != 'graded' then null
            when line_outcome = 'push' then 'push'
            when lower(lean) = line_outcome then 'win'
            else 'loss'
        end as lean_result,
        recommendation != 'PASS' and recorded_bet_odds is null as is_odds_assumed,
        case
            when recommendation != 'PASS'
                then coalesce(recorded_bet_odds, {{ var('grading_default_american_odds') }})
        end as bet_odds
    from settled

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
        line,
        consensus_line,
        bookmaker,
        over_odds,
        under_odds,
        line_timestamp,
        prediction_as_of,
        training_cutoff_date,
        game_status,
        minutes,
        grade_status,
        actual_value,
        abs(predicted_value - actual_value) as absolute_error,
        predicted_value - actual_value as signed_error,
        abs(line - actual_value) as line_absolute_error,
        line - actual_value as line_signed_error,
        line_outcome,
        lean,
        lean_result,
        bet_result,
        bet_odds,
        is_odds_assumed,
        -- One unit staked on every settled play (win, loss or push).
        cast(case when bet_result in ('win', 'loss', 'push') then 1 else 0 end as {{ nba_props.type_double() }})
            as units_staked,
        -- Profit of one unit at American odds: +odds/100 or 100/|odds| on a win, -1 on a
        -- loss, 0 on a push; null when nothing was staked.
        case
            when bet_result = 'win' and bet_odds > 0 then bet_odds / 100.0
            when bet_result = 'win' and bet_odds < 0 then 100.0 / -bet_odds
            when bet_result = 'loss' then -1.0
            when bet_result = 'push' then 0.0
        end as profit_units
    from bets

)

select * from final
