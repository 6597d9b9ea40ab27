{{ config(**nba_props.fact_config(
    date_column='game_date',
    unique_key=['player_id', 'game_id', 'market'],
    cluster_by=['market', 'player_id'],
    replace_window=true,
    newest_where='not is_upcoming',
)) }}
{%- set zones = nba_props.shot_zones() %}
{%- set completeness_columns = nba_props.feature_completeness_columns() %}
{%- set double = nba_props.type_double() %}
{%- set bigint = dbt.type_bigint() %}
{%- set string = dbt.type_string() %}

with

spine as (

    select * from {{ ref('int_player_feature_spine_unioned') }}
    where {{ nba_props.incremental_window('game_date', newest_where='not is_upcoming') }}

),

markets as (

    select * from {{ ref('prop_markets') }}

),

stat_history as (

    select * from {{ ref('int_player_stat_games_rolled') }}

),

daily_cache as (

    select * from {{ ref('player_daily_cache') }}
    where {{ nba_props.incremental_window(
        'game_date', source_column='cache_date', newest_where='not is_upcoming'
    ) }}

),

composite_factors as (

    select * from {{ ref('player_composite_factors') }}
    where {{ nba_props.incremental_window('game_date', newest_where='not is_upcoming') }}

),

shot_zones as (

    select * from {{ ref('player_shot_zone_analysis') }}
    where {{ nba_props.incremental_window(
        'game_date', source_column='analysis_date', newest_where='not is_upcoming'
    ) }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

prop_lines as (

    -- The preferred/consensus line version valid at the cut-off: tip-off for played
    -- games, as_of_time (else the current line) for upcoming ones.
    select line_versions.*
    from {{ ref('player_prop_lines_preferred') }} as line_versions
    cross join as_of
    where {{ nba_props.line_valid_at_cut_off('line_versions', 'as_of') }}

),

game_lines as (

    select * from {{ ref('int_game_lines_selected') }}

),

injury_versions as (

    select * from {{ ref('injury_status_versioned') }}

),

player_markets as (

    select
        spine.*,
        markets.market,
        markets.stat_column
    from spine
    cross join markets

),

injury_at_cut_off as (

    -- The player's injury status as of the cut-off, like the lines: for played games the
    -- last report published before tip-off (injury_status_versioned keeps only those, so
    -- its current version), for upcoming games the version valid at as_of_time (else the
    -- current one). Never a report from after tip-off or after as_of_time.
    select
        spine.player_id,
        spine.game_id,
        injury_versions.injury_status
    from spine
    cross join as_of
    inner join injury_versions
        on
            spine.player_id = injury_versions.player_id
            and spine.game_date = injury_versions.game_date
    where
        (
            (not spine.is_upcoming or as_of.as_of_time is null)
            and injury_versions.valid_to is null
        )
        or (
            spine.is_upcoming
            and injury_versions.valid_from <= as_of.as_of_time
            and (injury_versions.valid_to is null or injury_versions.valid_to > as_of.as_of_time)
        )

),

joined as (

    select
        player_markets.player_id,
        player_markets.game_id,
        player_markets.market,
        player_markets.game_date,
        player_markets.feature_as_of_date,
        player_markets.is_upcoming,
        player_markets.stat_column,
        player_markets.season_start_year,
        player_markets.game_type,
        player_markets.team_id,
        player_markets.opponent_team_id,
        player_markets.is_home,
        player_markets.games_before as games_played_total,
        daily_cache.games_played_season,
        stat_history.stat_last_game,
        stat_history.stat_avg_l5,
        stat_history.stat_avg_l10,
        case
            when stat_history.season_start_year = player_markets.season_start_year
                then stat_history.stat_avg_season
        end as stat_avg_season,
        stat_history.stat_std_l10,
        stat_history.stat_per36_l10,
        daily_cache.minutes_avg_l5,
        daily_cache.minutes_avg_l10,
        daily_cache.minutes_avg_season,
        daily_cache.fga_avg_l10,
        daily_cache.fg3a_avg_l10,
        daily_cache.fta_avg_l10,
        daily_cache.usage_rate_l10,
        daily_cache.has_complete_team_totals_l10,
        composite_factors.days_rest,
        composite_factors.is_back_to_back,
        composite_factors.games_last_7_days,
        composite_factors.minutes_last_7_days,
        composite_factors.fatigue_score,
        composite_factors.usage_trend,
        composite_factors.team_pace_l10,
        composite_factors.opponent_pace_l10,
        composite_factors.pace_factor,
        composite_factors.opponent_defensive_rating_l10,
        composite_factors.opponent_defensive_rating_vs_league,
        composite_factors.matchup_fg_pct_delta,
        composite_factors.matchup_points_per_shot_delta,
        {%- for z in zones %}
        shot_zones.{{ z.zone }}_fga_share_l10,
        {%- endfor %}
        coalesce(shot_zones.shot_games_l10, 0) > 0 as has_shot_zone_history,
        prop_lines.line as prop_line,
        prop_lines.consensus_line as prop_line_consensus,
        coalesce(prop_lines.n_books, 0) as prop_bookmaker_count,
        case
            when player_markets.is_home then game_lines.home_spread
            else -game_lines.home_spread
        end as team_spread,
        game_lines.game_total,
        game_lines.game_id is not null as has_game_line,
        injury_at_cut_off.injury_status
    from player_markets
    left join stat_history
        on
            player_markets.player_id = stat_history.player_id
            and player_markets.stat_column = stat_history.stat_column
            and player_markets.games_before = stat_history.event_number
    left join daily_cache
        on
            player_markets.player_id = daily_cache.player_id
            and player_markets.game_date = daily_cache.cache_date
    left join composite_factors
        on
            player_markets.player_id = composite_factors.player_id
            and player_markets.game_id = composite_factors.game_id
    left join shot_zones
        on
            player_markets.player_id = shot_zones.player_id
            and player_markets.game_date = shot_zones.analysis_date
    left join prop_lines
        on
            player_markets.game_id = prop_lines.game_id
            and player_markets.player_id = prop_lines.player_id
            and player_markets.market = prop_lines.market
    left join game_lines
        on player_markets.game_id = game_lines.game_id
    left join injury_at_cut_off
        on
            player_markets.player_id = injury_at_cut_off.player_id
            and player_markets.game_id = injury_at_cut_off.game_id

),

final as (

    select
        -- Keys and context
        cast(player_id as {{ bigint }}) as player_id,
        cast(game_id as {{ string }}) as game_id,
        cast(market as {{ string }}) as market,
        game_date,
        cast('{{ nba_props.feature_version() }}' as {{ string }}) as feature_version,
        feature_as_of_date,
        is_upcoming,
        cast(stat_column as {{ string }}) as stat_column,
        cast(season_start_year as {{ bigint }}) as season_start_year,
        cast(game_type as {{ string }}) as game_type,
        cast(team_id as {{ bigint }}) as team_id,
        cast(opponent_team_id as {{ bigint }}) as opponent_team_id,
        is_home,
        -- History of the market's stat
        cast(games_played_total as {{ bigint }}) as games_played_total,
        cast(coalesce(games_played_season, 0) as {{ bigint }}) as games_played_season,
        cast(stat_last_game as {{ double }}) as stat_last_game,
        cast(stat_avg_l5 as {{ double }}) as stat_avg_l5,
        cast(stat_avg_l10 as {{ double }}) as stat_avg_l10,
        cast(stat_avg_season as {{ double }}) as stat_avg_season,
        cast(stat_std_l10 as {{ double }}) as stat_std_l10,
        cast(stat_per36_l10 as {{ double }}) as stat_per36_l10,
        cast(stat_avg_l5 - stat_avg_season as {{ double }}) as stat_trend_l5_vs_season,
        -- Minutes and volume
        cast(minutes_avg_l5 as {{ double }}) as minutes_avg_l5,
        cast(minutes_avg_l10 as {{ double }}) as minutes_avg_l10,
        cast(minutes_avg_season as {{ double }}) as minutes_avg_season,
        cast(fga_avg_l10 as {{ double }}) as fga_avg_l10,
        cast(fg3a_avg_l10 as {{ double }}) as fg3a_avg_l10,
        cast(fta_avg_l10 as {{ double }}) as fta_avg_l10,
        cast(usage_rate_l10 as {{ double }}) as usage_rate_l10,
        cast(usage_trend as {{ double }}) as usage_trend,
        -- Flag, not a filter: false when a game of the last 10 lacked the team's log
        -- (usage leaves it out); the workers may use it. Null without history.
        has_complete_team_totals_l10,
        -- Rest and fatigue
        cast(days_rest as {{ bigint }}) as days_rest,
        coalesce(is_back_to_back, false) as is_back_to_back,
        cast(coalesce(games_last_7_days, 0) as {{ bigint }}) as games_last_7_days,
        cast(coalesce(minutes_last_7_days, 0) as {{ double }}) as minutes_last_7_days,
        cast(fatigue_score as {{ double }}) as fatigue_score,
        -- Pace and matchup
        cast(team_pace_l10 as {{ double }}) as team_pace_l10,
        cast(opponent_pace_l10 as {{ double }}) as opponent_pace_l10,
        cast(pace_factor as {{ double }}) as pace_factor,
        cast(opponent_defensive_rating_l10 as {{ double }}) as opponent_defensive_rating_l10,
        cast(opponent_defensive_rating_vs_league as {{ double }})
            as opponent_defensive_rating_vs_league,
        cast(matchup_fg_pct_delta as {{ double }}) as matchup_fg_pct_delta,
        cast(matchup_points_per_shot_delta as {{ double }}) as matchup_points_per_shot_delta,
        -- Shot profile
        {%- for z in zones %}
        cast({{ z.zone }}_fga_share_l10 as {{ double }}) as {{ z.zone }}_fga_share_l10,
        {%- endfor %}
        -- Lines current at the cut-off (tip-off; as_of_time for upcoming games if set)
        cast(prop_line as {{ double }}) as prop_line,
        cast(prop_line_consensus as {{ double }}) as prop_line_consensus,
        cast(prop_bookmaker_count as {{ bigint }}) as prop_bookmaker_count,
        cast(prop_line - stat_avg_l10 as {{ double }}) as line_vs_avg_l10,
        cast(team_spread as {{ double }}) as team_spread,
        cast(game_total as {{ double }}) as game_total,
        cast(game_total / 2 - team_spread / 2 as {{ double }}) as implied_team_total,
        -- Availability
        cast(injury_status as {{ string }}) as injury_status,
        cast({{ nba_props.play_probability('injury_status') }} as {{ double }}) as play_probability,
        -- Quality
        cast((
            {%- for column in completeness_columns %}
            case when {{ column }} is not null then 1 else 0 end{{ ' +' if not loop.last }}
            {%- endfor %}
        ) / {{ completeness_columns | length }}.0 as {{ double }}) as feature_completeness,
        games_played_total < 5 as is_thin_history_l5,
        games_played_total < 10 as is_thin_history_l10,
        coalesce(games_played_season, 0) < 5 as is_thin_history_season,
        has_shot_zone_history,
        prop_line is not null as has_prop_line,
        has_game_line
    from joined

)

select * from final
