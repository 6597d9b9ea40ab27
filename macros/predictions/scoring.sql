{#
    Scoring a probability and a bet, as grading does it (prediction_accuracy). Each is a
    dispatched macro: one SQL for every engine today (plain arithmetic, ln, power), with
    the dispatch in place for an engine that needs its own.
#}

{# Net payout of one unit won at American odds: +150 -> 1.5, -125 -> 0.8; null for null or 0. #}
{% macro net_payout(american_odds) -%}
    {{ return(adapter.dispatch('net_payout', 'nba_props')(american_odds)) }}
{%- endmacro %}

{% macro default__net_payout(american_odds) -%}
    case
        when {{ american_odds }} > 0 then {{ american_odds }} / 100.0
        when {{ american_odds }} < 0 then 100.0 / -{{ american_odds }}
    end
{%- endmacro %}

{#
    The market's fair probability of a side, multiplicative de-vig: the side's implied
    probability over the sum of both sides' (P(side | no push)); null without both prices.
#}
{% macro no_vig_probability(side_odds, other_odds) -%}
    {{ return(adapter.dispatch('no_vig_probability', 'nba_props')(side_odds, other_odds)) }}
{%- endmacro %}

{% macro default__no_vig_probability(side_odds, other_odds) -%}
    (
        {{ nba_props.implied_probability(side_odds) }}
        / (
            {{ nba_props.implied_probability(side_odds) }}
            + {{ nba_props.implied_probability(other_odds) }}
        )
    )
{%- endmacro %}

{# The Brier term (p - outcome)^2 of a probability against a 0/1 outcome. #}
{% macro brier_term(probability, outcome) -%}
    {{ return(adapter.dispatch('brier_term', 'nba_props')(probability, outcome)) }}
{%- endmacro %}

{% macro default__brier_term(probability, outcome) -%}
    (({{ probability }}) - ({{ outcome }})) * (({{ probability }}) - ({{ outcome }}))
{%- endmacro %}

{#
    The log-loss term -[y ln p + (1 - y) ln(1 - p)], p clipped to [eps, 1 - eps] so that a
    certain and wrong probability costs ln(1 / eps), not infinity.
#}
{% macro log_loss_term(probability, outcome, eps=0.0001) -%}
    {{ return(adapter.dispatch('log_loss_term', 'nba_props')(probability, outcome, eps)) }}
{%- endmacro %}

{% macro default__log_loss_term(probability, outcome, eps=0.0001) -%}
    {%- set clipped -%}
        case
            when {{ probability }} < {{ eps }} then {{ eps }}
            when {{ probability }} > 1 - {{ eps }} then 1 - {{ eps }}
            else {{ probability }}
        end
    {%- endset -%}
    -(
        ({{ outcome }}) * ln({{ clipped }})
        + (1 - ({{ outcome }})) * ln(1 - ({{ clipped }}))
    )
{%- endmacro %}

{#
    The Kelly fraction of a bet that wins with probability p_win, loses with p_loss (the
    rest pushes: stake returned) and pays net b per unit: argmax of
    p_win ln(1 + b f) + p_loss ln(1 - f), which is (b p_win - p_loss) / (b (p_win + p_loss));
    0 when the bet has no positive expectation.
#}
{% macro kelly_fraction(p_win, p_loss, american_odds) -%}
    {{ return(adapter.dispatch('kelly_fraction', 'nba_props')(p_win, p_loss, american_odds)) }}
{%- endmacro %}

{% macro default__kelly_fraction(p_win, p_loss, american_odds) -%}
    {%- set b = nba_props.net_payout(american_odds) -%}
    case
        when ({{ b }}) * ({{ p_win }}) - ({{ p_loss }}) <= 0 then 0.0
        else
            (({{ b }}) * ({{ p_win }}) - ({{ p_loss }}))
            / (({{ b }}) * (({{ p_win }}) + ({{ p_loss }})))
    end
{%- endmacro %}
