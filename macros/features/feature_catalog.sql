{#
    The box-score stats a prop market can settle on: `stat_column` in the prop_markets seed
    -> SQL over one player-game row of int_player_games_sequenced. A new market on one of
    these stats is a seed row only; a new stat is one line here. The singular test
    assert_feature_markets_in_stat_catalog fails on a market whose stat is missing.
#}
{% macro prop_stat_expressions() -%}
    {{ return({
        'points': 'points',
        'rebounds': 'rebounds',
        'assists': 'assists',
        'threes_made': 'threes_made',
        'steals': 'steals',
        'blocks': 'blocks',
        'turnovers': 'turnovers',
        'points_rebounds_assists': 'points + rebounds + assists',
        'points_rebounds': 'points + rebounds',
        'points_assists': 'points + assists',
        'rebounds_assists': 'rebounds + assists',
        'steals_blocks': 'steals + blocks',
    }) }}
{%- endmacro %}

{# The five shot zones of the zone models (backcourt heaves are left out), with the
   points a make is worth. #}
{% macro shot_zones() -%}
    {{ return([
        {'zone': 'restricted_area', 'points': 2},
        {'zone': 'paint', 'points': 2},
        {'zone': 'mid_range', 'points': 2},
        {'zone': 'corner_three', 'points': 3},
        {'zone': 'above_break_three', 'points': 3},
    ]) }}
{%- endmacro %}

{#
    The history-based features whose presence makes up `feature_completeness` in
    ml_feature_store_v2 (share of these that are not null). Line, game-line and injury
    columns are context, not history, and are left out.
#}
{% macro feature_completeness_columns() -%}
    {{ return([
        'stat_avg_l5', 'stat_avg_l10', 'stat_avg_season', 'stat_std_l10', 'stat_per36_l10',
        'stat_last_game', 'minutes_avg_l5', 'minutes_avg_l10', 'minutes_avg_season',
        'fga_avg_l10', 'fg3a_avg_l10', 'fta_avg_l10', 'usage_rate_l10', 'days_rest',
        'team_pace_l10', 'opponent_pace_l10', 'opponent_defensive_rating_l10',
        'matchup_fg_pct_delta', 'restricted_area_fga_share_l10', 'paint_fga_share_l10',
        'mid_range_fga_share_l10', 'corner_three_fga_share_l10',
        'above_break_three_fga_share_l10',
    ]) }}
{%- endmacro %}

{# A double-precision float on every engine (dbt.type_float() is 4-byte REAL on DuckDB). #}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'nba_props')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro bigquery__type_double() -%}
    {{ return('float64') }}
{%- endmacro %}

{#
    Fixed-point type for the rolling sums of fractional values (minutes, 0.44 * FTA,
    pace). A float sum depends on the order the engine adds rows in, which depends on
    how much history a partition holds; decimal sums are exact, so a feature computed
    day by day equals, bit for bit, the same feature from a full rebuild.
#}
{% macro type_exact() -%}
    {{ return(adapter.dispatch('type_exact', 'nba_props')()) }}
{%- endmacro %}

{% macro default__type_exact() -%}
    {{ return('decimal(18, 6)') }}
{%- endmacro %}

{% macro bigquery__type_exact() -%}
    {{ return('numeric') }}
{%- endmacro %}
