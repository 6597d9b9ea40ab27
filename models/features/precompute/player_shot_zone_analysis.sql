{{ config(**nba_props.fact_config(
    date_column='analysis_date',
    unique_key=['player_id', 'analysis_date'],
    cluster_by=['player_id'],
    replace_window=true,
    newest_where='not is_upcoming',
)) }}
{%- set zones = nba_props.shot_zones() %}

with

spine as (

    select * from {{ ref('int_player_feature_spine_unioned') }}

),

shot_history as (

    select * from {{ ref('int_player_shot_zones_rolled') }}

),

player_dates as (

    select
        player_id,
        game_id,
        game_date as analysis_date,
        feature_as_of_date,
        is_upcoming,
        season_start_year
    from (
        select
            *,
            row_number() over (partition by player_id, game_date order by game_id) as date_rank
        from spine
    ) as ranked
    where date_rank = 1

),

located as (

    {{ nba_props.prior_event_number(
        targets='player_dates',
        target_date='feature_as_of_date',
        events='shot_history',
        partition_by=['player_id'],
    ) }}

),

joined as (

    select
        player_dates.*,
        located.prior_event_number as shot_games_total,
        shot_history.season_start_year = player_dates.season_start_year as is_same_season,
        shot_history.game_date as last_shot_game_date,
        {%- for z in zones %}
        shot_history.{{ z.zone }}_fga_l10,
        shot_history.{{ z.zone }}_fgm_l10,
        shot_history.{{ z.zone }}_fga_season,
        shot_history.{{ z.zone }}_fgm_season,
        {%- endfor %}
        shot_history.shot_games_l10,
        shot_history.fga_l10,
        shot_history.shot_games_season,
        shot_history.fga_season
    from player_dates
    inner join located
        on
            player_dates.player_id = located.player_id
            and player_dates.game_id = located.game_id
    left join shot_history
        on
            located.player_id = shot_history.player_id
            and located.prior_event_number = shot_history.event_number

),

final as (

    select
        player_id,
        analysis_date,
        feature_as_of_date,
        is_upcoming,
        season_start_year,
        shot_games_total,
        coalesce(shot_games_l10, 0) as shot_games_l10,
        coalesce(fga_l10, 0) as fga_l10,
        case when is_same_season then shot_games_season else 0 end as shot_games_season,
        case when is_same_season then fga_season else 0 end as fga_season,
        {%- for z in zones %}
        {{ nba_props.safe_divide(z.zone ~ '_fga_l10', 'fga_l10') }}
            as {{ z.zone }}_fga_share_l10,
        {{ nba_props.safe_divide(z.zone ~ '_fgm_l10', z.zone ~ '_fga_l10') }}
            as {{ z.zone }}_fg_pct_l10,
        case
            when is_same_season
                then {{ nba_props.safe_divide(z.zone ~ '_fga_season', 'fga_season') }}
        end as {{ z.zone }}_fga_share_season,
        case
            when is_same_season
                then {{ nba_props.safe_divide(z.zone ~ '_fgm_season', z.zone ~ '_fga_season') }}
        end as {{ z.zone }}_fg_pct_season,
        {%- endfor %}
        last_shot_game_date
    from joined
    where {{ nba_props.incremental_window('analysis_date', newest_where='not is_upcoming') }}

)

select * from final
