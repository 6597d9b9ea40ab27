-- Every prediction graded against the actual result and the line it used (the line is
-- the one recorded with the prediction: current at prediction time, never a later one).
-- grade_status: graded, void (the game is final but the player has no box score or
-- played no minutes: the prediction is void, the row is kept) or pending (not final).
-- bet_result settles the recommendation at the recorded odds: win, loss, push, void,
-- pending, or no_bet for PASS. A push returns the stake; a void is as if never placed.
-- Probability scores (Brier, log-loss) of P(over | no push), the system's and the no-vig
-- market's, on every graded row that settled over or under; the Kelly fraction of each
-- play; and its closing-line value against the same book's last pre-tip quote (a later
-- line, used only to judge the play, never to grade it).
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

book_quotes as (

    select * from {{ ref('int_player_prop_lines_versioned') }}

),

closing_quotes as (

    -- Each book's last quote before tip-off (kept even if the book later pulled it).
    select
        game_id,
        player_id,
        market,
        bookmaker,
        line as closing_line,
        over_odds as closing_over_odds,
        under_odds as closing_under_odds
    from (
        select
            *,
            row_number() over (
                partition by game_id, player_id, market, bookmaker
                order by valid_from desc
            ) as quote_rank
        from book_quotes
    ) as ranked
    where quote_rank = 1

),

joined as (

    select
        predictions.*,
        games.game_status,
        outcomes.minutes,
        outcomes.actual_value as box_score_value,
        closing_quotes.closing_line,
        closing_quotes.closing_over_odds,
        closing_quotes.closing_under_odds,
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
    left join closing_quotes
        on
            predictions.game_id = closing_quotes.game_id
            and predictions.player_id = closing_quotes.player_id
            and predictions.market = closing_quotes.market
            and predictions.bookmaker = closing_quotes.bookmaker

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
        end as recorded_bet_odds,
        -- P(over | no push): the system's, and the market's (multiplicative de-vig).
        {{ nba_props.safe_divide('prob_over', 'prob_over + prob_under') }} as model_prob_over,
        {{ nba_props.no_vig_probability('over_odds', 'under_odds') }} as market_prob_over
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
        end as bet_odds,
        case line_outcome when 'over' then 1.0 when 'under' then 0.0 end as over_outcome
    from settled

),

scored as (

    select
        *,
        case
            when recommendation = 'OVER' then prob_over
            when recommendation = 'UNDER' then prob_under
        end as play_win_probability,
        case
            when recommendation = 'OVER' then prob_under
            when recommendation = 'UNDER' then prob_over
        end as play_loss_probability,
        -- The no-vig probability of the play's side at prediction time and at the close
        -- (comparable only when the book's line did not move).
        case
            when recommendation = 'OVER'
                then {{ nba_props.no_vig_probability('over_odds', 'under_odds') }}
            when recommendation = 'UNDER'
                then {{ nba_props.no_vig_probability('under_odds', 'over_odds') }}
        end as play_no_vig_probability,
        case
            when recommendation = 'OVER'
                then {{ nba_props.no_vig_probability('closing_over_odds', 'closing_under_odds') }}
            when recommendation = 'UNDER'
                then {{ nba_props.no_vig_probability('closing_under_odds', 'closing_over_odds') }}
        end as play_closing_no_vig_probability
    from bets

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
        end as profit_units,
        model_prob_over,
        market_prob_over,
        case
            when over_outcome is not null and model_prob_over is not null
                then {{ nba_props.brier_term('model_prob_over', 'over_outcome') }}
        end as brier_score,
        case
            when over_outcome is not null and market_prob_over is not null
                then {{ nba_props.brier_term('market_prob_over', 'over_outcome') }}
        end as market_brier_score,
        case
            when over_outcome is not null and model_prob_over is not null
                then {{ nba_props.log_loss_term('model_prob_over', 'over_outcome') }}
        end as log_loss,
        case
            when over_outcome is not null and market_prob_over is not null
                then {{ nba_props.log_loss_term('market_prob_over', 'over_outcome') }}
        end as market_log_loss,
        -- Full-Kelly fraction of the bankroll for the play (0 without positive expectation).
        case
            when recommendation != 'PASS'
                then {{ nba_props.kelly_fraction('play_win_probability', 'play_loss_probability',
                                                 'bet_odds') }}
        end as kelly_fraction,
        closing_line,
        closing_over_odds,
        closing_under_odds,
        -- Closing-line value of the play: line points gained on the close (OVER: a lower
        -- line than the close is better), and the no-vig probability of its side at the
        -- close minus at prediction time when the line did not move.
        case
            when recommendation = 'OVER' then closing_line - line
            when recommendation = 'UNDER' then line - closing_line
        end as clv_line,
        case
            when recommendation != 'PASS' and closing_line = line
                then play_closing_no_vig_probability - play_no_vig_probability
        end as clv_probability
    from scored

)

select * from final
