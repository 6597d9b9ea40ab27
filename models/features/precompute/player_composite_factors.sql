{{ config(**nba_props.fact_config(
    date_column='game_date',
    unique_key=['player_id', 'game_id'],
    cluster_by=['player_id'],
    replace_window=true,
    newest_where='not is_upcoming',
)) }}
{%- set zones = nba_props.shot_zones() %}

with

spine as (

    select * from {{ ref('int_player_feature_spine_unioned') }}
    where {{ nba_props.incremental_window('game_date', newest_where='not is_upcoming') }}

),

player_games as (

    select * from {{ ref('int_player_games_sequenced') }}

),

team_states as (

    select * from {{ ref('int_team_feature_spine_unioned') }}

),

team_games as (

    select * from {{ ref('int_team_games_paired') }}

),

game_types as (

    select * from {{ ref('game_types') }}

),

daily_cache as (

    select * from {{ ref('player_daily_cache') }}
    where {{ nba_props.incremental_window(
        'game_date', source_column='cache_date', newest_where='not is_upcoming'
    ) }}

),

shot_zones as (

    select * from {{ ref('player_shot_zone_analysis') }}
    where {{ nba_props.incremental_window(
        'game_date', source_column='analysis_date', newest_where='not is_upcoming'
    ) }}

),

defense_zones as (

    select * from {{ ref('team_defense_zone_analysis') }}
    where {{ nba_props.incremental_window(
        'game_date', source_column='analysis_date', newest_where='not is_upcoming'
    ) }}

),

recent_load as (

    -- Games and minutes in the 7 days before the game, among games already played at
    -- the as-of date.
    select
        spine.player_id,
        spine.game_id,
        count(*) as games_last_7_days,
        sum(player_games.minutes) as minutes_last_7_days
    from spine
    inner join player_games
        on
            spine.player_id = player_games.player_id
            and {{ nba_props.add_days('spine.game_date', -7) }} <= player_games.game_date
            and spine.feature_as_of_date > player_games.game_date
    group by spine.player_id, spine.game_id

),

league_team_games as (

    -- Hundredths of possessions and minutes as integers: a float sum's result depends on
    -- the order of the rows, and a daily build must equal a full one bit for bit.
    select
        team_games.game_date,
        team_games.points,
        cast(round(100 * team_games.possessions) as {{ dbt.type_bigint() }}) as possessions_x100,
        cast(round(100 * (team_games.possessions + team_games.opp_possessions)) as {{ dbt.type_bigint() }})
            as both_possessions_x100,
        cast(round(100 * team_games.team_minutes) as {{ dbt.type_bigint() }}) as team_minutes_x100
    from team_games
    inner join game_types
        on team_games.game_type = game_types.game_type
    where
        game_types.is_competitive
        and team_games.possessions is not null
        and team_games.opp_possessions is not null
        and team_games.team_minutes > 0

),

league_daily as (

    select
        game_date,
        sum(points) as points,
        sum(possessions_x100) as possessions_x100,
        sum(both_possessions_x100) as both_possessions_x100,
        sum(team_minutes_x100) as team_minutes_x100
    from league_team_games
    group by game_date

),

league_as_of as (

    -- League pace (possessions per 48 minutes, both teams' estimates averaged, over all
    -- minutes) and points per 100 possessions, over every game strictly before the date.
    select
        as_of_dates.feature_as_of_date,
        {{ nba_props.safe_divide(
            '120 * sum(league_daily.both_possessions_x100)',
            'sum(league_daily.team_minutes_x100)'
        ) }} as league_pace,
        {{ nba_props.safe_divide(
            '10000 * sum(league_daily.points)',
            'sum(league_daily.possessions_x100)'
        ) }} as league_rating
    from (select distinct feature_as_of_date from spine) as as_of_dates
    inner join league_daily
        on as_of_dates.feature_as_of_date > league_daily.game_date
    group by as_of_dates.feature_as_of_date

),

joined as (

    select
        spine.player_id,
        spine.game_id,
        spine.game_date,
        spine.feature_as_of_date,
        spine.is_upcoming,
        spine.season_start_year,
        spine.team_id,
        spine.opponent_team_id,
        spine.is_home,
        daily_cache.days_rest,
        coalesce(recent_load.games_last_7_days, 0) as games_last_7_days,
        coalesce(recent_load.minutes_last_7_days, 0) as minutes_last_7_days,
        daily_cache.minutes_avg_l5,
        daily_cache.minutes_avg_season,
        {{ nba_props.safe_divide('daily_cache.minutes_avg_l5', 'daily_cache.minutes_avg_season') }}
            as minutes_load_ratio,
        daily_cache.usage_rate_l5,
        daily_cache.usage_rate_season,
        team.pace_l10 as team_pace_l10,
        opponent.pace_l10 as opponent_pace_l10,
        league_as_of.league_pace,
        opponent.defensive_rating_l10 as opponent_defensive_rating_l10,
        league_as_of.league_rating,
        -- Matchup by zone: the player's share of attempts there times how much better (+)
        -- or worse (-) than the league the opponent lets teams shoot there.
        {%- for z in zones %}
        shot_zones.{{ z.zone }}_fga_share_l10 * defense_zones.opp_{{ z.zone }}_fg_pct_diff_l10
            as {{ z.zone }}_matchup,
        {%- endfor %}
        shot_zones.fga_l10 as player_zone_fga_l10,
        defense_zones.games_l10 as opponent_zone_games_l10
    from spine
    left join daily_cache
        on
            spine.player_id = daily_cache.player_id
            and spine.game_date = daily_cache.cache_date
    left join recent_load
        on
            spine.player_id = recent_load.player_id
            and spine.game_id = recent_load.game_id
    left join team_states as team
        on
            spine.team_id = team.team_id
            and spine.game_id = team.game_id
    left join team_states as opponent
        on
            spine.opponent_team_id = opponent.team_id
            and spine.game_id = opponent.game_id
    left join league_as_of
        on spine.feature_as_of_date = league_as_of.feature_as_of_date
    left join shot_zones
        on
            spine.player_id = shot_zones.player_id
            and spine.game_date = shot_zones.analysis_date
    left join defense_zones
        on
            spine.opponent_team_id = defense_zones.team_id
            and spine.game_date = defense_zones.analysis_date

),

final as (

    select
        player_id,
        game_id,
        game_date,
        feature_as_of_date,
        is_upcoming,
        season_start_year,
        team_id,
        opponent_team_id,
        -- Fatigue
        days_rest,
        coalesce(days_rest = 0, false) as is_back_to_back,
        games_last_7_days,
        minutes_last_7_days,
        minutes_load_ratio,
        (case when days_rest = 0 then 1.0 else 0.0 end)
        + 0.5 * greatest(games_last_7_days - 3, 0)
        + 2.0 * greatest(coalesce(minutes_load_ratio, 1.0) - 1.0, 0.0) as fatigue_score,
        -- Matchup: the player's zone mix against what the opponent allows by zone,
        -- relative to the league (positive = a softer defence for his shots).
        (
            0
            {%- for z in zones %}
            + {{ z.zone }}_matchup
            {%- endfor %}
        ) as matchup_fg_pct_delta,
        (
            0
            {%- for z in zones %}
            + {{ z.points }} * {{ z.zone }}_matchup
            {%- endfor %}
        ) as matchup_points_per_shot_delta,
        opponent_defensive_rating_l10,
        opponent_defensive_rating_l10 - league_rating as opponent_defensive_rating_vs_league,
        -- Pace
        team_pace_l10,
        opponent_pace_l10,
        league_pace,
        (team_pace_l10 + opponent_pace_l10) / 2 as expected_pace,
        {{ nba_props.safe_divide('(team_pace_l10 + opponent_pace_l10) / 2', 'league_pace') }}
            as pace_factor,
        -- Home/away
        is_home,
        -- Usage trend: recent usage against the season's
        usage_rate_l5,
        usage_rate_season,
        usage_rate_l5 - usage_rate_season as usage_trend
    from joined

)

select * from final
