{{ config(**nba_props.fact_config(
    date_column='cache_date',
    unique_key=['player_id', 'cache_date'],
    cluster_by=['player_id'],
    replace_window=true,
    newest_where='not is_upcoming',
)) }}
{%- set stats = ['minutes', 'points', 'fga', 'fg3a', 'fta', 'rebounds', 'assists'] %}

with

spine as (

    select * from {{ ref('int_player_feature_spine_unioned') }}

),

player_history as (

    select * from {{ ref('int_player_games_rolled') }}

),

player_dates as (

    -- One row per player and date: every game of a date has the same features, since
    -- they all use only earlier dates.
    select
        *,
        row_number() over (
            partition by player_id, game_date
            order by game_id
        ) as date_rank
    from spine

),

joined as (

    select
        player_dates.player_id,
        player_dates.game_date as cache_date,
        player_dates.feature_as_of_date,
        player_dates.is_upcoming,
        player_dates.season_start_year,
        player_dates.team_id,
        player_dates.games_before as games_played_total,
        player_history.season_start_year = player_dates.season_start_year as is_same_season,
        player_history.season_game_number,
        player_history.game_date as last_game_date,
        {%- for stat in stats %}
        player_history.{{ stat }}_avg_l5,
        player_history.{{ stat }}_avg_l10,
        player_history.{{ stat }}_avg_season,
        {%- endfor %}
        player_history.usage_rate_l5,
        player_history.usage_rate_l10,
        player_history.usage_rate_season,
        player_history.has_complete_team_totals_l10
    from player_dates
    left join player_history
        on
            player_dates.player_id = player_history.player_id
            and player_dates.games_before = player_history.event_number
    where player_dates.date_rank = 1

),

final as (

    select
        player_id,
        cache_date,
        feature_as_of_date,
        is_upcoming,
        season_start_year,
        team_id,
        games_played_total,
        case when is_same_season then season_game_number else 0 end as games_played_season,
        last_game_date,
        {{ nba_props.days_between('last_game_date', 'cache_date') }} as days_since_last_game,
        case
            when is_same_season
                then {{ nba_props.days_between('last_game_date', 'cache_date') }} - 1
        end as days_rest,
        {%- for stat in stats %}
        {{ stat }}_avg_l5,
        {{ stat }}_avg_l10,
        case when is_same_season then {{ stat }}_avg_season end as {{ stat }}_avg_season,
        {%- endfor %}
        usage_rate_l5,
        usage_rate_l10,
        case when is_same_season then usage_rate_season end as usage_rate_season,
        -- False when a game of the last 10 had no team log: the usage rate then leaves
        -- it out (null with none left), and the feature store passes the flag on.
        has_complete_team_totals_l10
    from joined
    where {{ nba_props.incremental_window('cache_date', newest_where='not is_upcoming') }}

)

select * from final
