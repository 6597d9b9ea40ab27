{#
    Settings of the precompute layer. Each one can be overridden with --vars; the
    defaults live here, in one place.

    as_of_date            The "now" of the upcoming-game context: games on or after it are
                          upcoming, and their features use only games strictly before it.
                          Default (none): the day after the newest final game in the data,
                          so the daily run needs no var and a rebuild is deterministic.
                          Set it to a past date for a backtest (with a full refresh).
    as_of_time            UTC timestamp cut-off for prop lines, game lines and injury reports
                          of upcoming games. Default (none): everything loaded so far that is
                          timed before tip-off (a daily run only has what is known).
    upcoming_days         Horizon of the upcoming context: games in
                          [as_of_date, as_of_date + upcoming_days).
    roster_lookback_days  A player is projected on a team when his newest competitive game
                          before as_of_date was for that team and is at most this old.
#}
{% macro feature_setting(name) -%}
    {%- set defaults = {
        'as_of_date': none,
        'as_of_time': none,
        'upcoming_days': 7,
        'roster_lookback_days': 30,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error('unknown feature setting: ' ~ name) }}
    {%- endif -%}
    {{ return(var(name, defaults[name])) }}
{%- endmacro %}

{#
    Version of the ml_feature_store_v2 feature vector. Bump the minor version when a
    feature is added, the major version when one changes meaning or is removed; the
    feature list is documented in models/marts/precompute/_precompute__models.yml.
#}
{% macro feature_version() -%}
    {{ return('2.0.0') }}
{%- endmacro %}
