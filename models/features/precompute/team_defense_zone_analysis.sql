{{ config(**nba_props.fact_config(
    date_column='analysis_date',
    unique_key=['team_id', 'analysis_date'],
    cluster_by=['team_id'],
    large=false,
    replace_window=true,
    newest_where='not is_upcoming',
)) }}
{%- set zones = nba_props.shot_zones() %}

with

team_spine as (

    select * from {{ ref('int_team_feature_spine_unioned') }}

),

defense_history as (

    select * from {{ ref('int_team_defense_zones_rolled') }}

),

zone_shots as (

    select * from {{ ref('int_shot_zone_games_aggregated') }}

),

team_dates as (

    select
        team_id,
        game_id,
        game_date as analysis_date,
        feature_as_of_date,
        is_upcoming,
        season_start_year
    from (
        select
            *,
            row_number() over (partition by team_id, game_date order by game_id) as date_rank
        from team_spine
    ) as ranked
    where date_rank = 1

),

located as (

    {{ nba_props.prior_event_number(
        targets='team_dates',
        target_date='feature_as_of_date',
        events='defense_history',
        partition_by=['team_id'],
    ) }}

),

league_daily as (

    select
        game_date,
        {%- for z in zones %}
        sum(case when shot_zone = '{{ z.zone }}' then attempts else 0 end) as {{ z.zone }}_fga,
        sum(case when shot_zone = '{{ z.zone }}' then makes else 0 end) as {{ z.zone }}_fgm,
        {%- endfor %}
        sum(attempts) as zone_fga,
        sum(points_scored) as zone_points
    from zone_shots
    group by game_date

),

league_as_of as (

    -- League shooting by zone over every competitive game strictly before the date.
    select
        as_of_dates.feature_as_of_date,
        {%- for z in zones %}
        {{ nba_props.safe_divide('sum(league_daily.' ~ z.zone ~ '_fgm)', 'sum(league_daily.' ~ z.zone ~ '_fga)') }}
            as league_{{ z.zone }}_fg_pct,
        {%- endfor %}
        {{ nba_props.safe_divide('sum(league_daily.zone_points)', 'sum(league_daily.zone_fga)') }}
            as league_points_per_shot
    from (select distinct feature_as_of_date from team_dates) as as_of_dates
    inner join league_daily
        on as_of_dates.feature_as_of_date > league_daily.game_date
    group by as_of_dates.feature_as_of_date

),

joined as (

    select
        team_dates.*,
        {%- for z in zones %}
        defense_history.opp_{{ z.zone }}_fga_l10,
        defense_history.opp_{{ z.zone }}_fgm_l10,
        defense_history.opp_{{ z.zone }}_fga_season,
        defense_history.opp_{{ z.zone }}_fgm_season,
        league_as_of.league_{{ z.zone }}_fg_pct,
        {%- endfor %}
        located.prior_event_number as games_total,
        defense_history.season_start_year = team_dates.season_start_year as is_same_season,
        defense_history.games_l10,
        defense_history.games_season,
        defense_history.opp_fga_l10,
        defense_history.opp_fga_season,
        defense_history.opp_points_l10,
        league_as_of.league_points_per_shot
    from team_dates
    inner join located
        on
            team_dates.team_id = located.team_id
            and team_dates.game_id = located.game_id
    left join defense_history
        on
            located.team_id = defense_history.team_id
            and located.prior_event_number = defense_history.event_number
    left join league_as_of
        on team_dates.feature_as_of_date = league_as_of.feature_as_of_date

),

rates as (

    select
        team_id,
        analysis_date,
        feature_as_of_date,
        is_upcoming,
        season_start_year,
        games_total,
        coalesce(games_l10, 0) as games_l10,
        case when is_same_season then games_season else 0 end as games_season,
        coalesce(opp_fga_l10, 0) as opp_fga_l10,
        {%- for z in zones %}
        {%- set opp = 'opp_' ~ z.zone %}
        {{ nba_props.safe_divide(opp ~ '_fga_l10', 'opp_fga_l10') }} as {{ opp }}_fga_share_l10,
        {{ nba_props.safe_divide(opp ~ '_fgm_l10', opp ~ '_fga_l10') }}
            as {{ opp }}_fg_pct_l10,
        case
            when is_same_season
                then {{ nba_props.safe_divide(opp ~ '_fgm_season', opp ~ '_fga_season') }}
        end as {{ opp }}_fg_pct_season,
        league_{{ z.zone }}_fg_pct,
        {%- endfor %}
        {{ nba_props.safe_divide('opp_points_l10', 'opp_fga_l10') }} as opp_points_per_shot_l10,
        league_points_per_shot
    from joined

),

final as (

    select
        *,
        {%- for z in zones %}
        opp_{{ z.zone }}_fg_pct_l10 - league_{{ z.zone }}_fg_pct as opp_{{ z.zone }}_fg_pct_diff_l10,
        {%- endfor %}
        opp_points_per_shot_l10 - league_points_per_shot as opp_points_per_shot_diff_l10
    from rates
    where {{ nba_props.incremental_window('analysis_date', newest_where='not is_upcoming') }}

)

select * from final
