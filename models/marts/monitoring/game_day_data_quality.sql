-- One row per game day: how much arrived (box scores, player rows, props), how complete
-- it is (final games without both team box scores, unresolved names and teams) and how
-- late the box scores were loaded. Only days with games or lines have a row, so volume
-- per game (player_rows_per_game, props_per_game) follows the NBA schedule rather than
-- the calendar: the Elementary column anomalies on this model watch those ratios.
with

completeness as (

    select * from {{ ref('game_box_score_completeness') }}

),

team_logs as (

    select * from {{ ref('stg_nbacom__team_game_logs') }}

),

player_logs as (

    select * from {{ ref('stg_nbacom__player_game_logs') }}

),

props as (

    select * from {{ ref('int_player_props_resolved') }}

),

games_per_day as (

    select
        game_date,
        count(*) as games_final,
        count(case when completeness_status != 'complete' then 1 end)
            as games_missing_box_score
    from completeness
    group by game_date

),

team_logs_per_day as (

    select
        game_date,
        count(*) as team_log_rows,
        min(loaded_at) as box_scores_first_loaded_at
    from team_logs
    group by game_date

),

player_logs_per_day as (

    select
        game_date,
        count(*) as player_rows
    from player_logs
    group by game_date

),

props_per_day as (

    select
        game_date,
        count(*) as prop_rows,
        count(distinct game_label) as prop_games,
        count(case when resolution_status != 'resolved' then 1 end) as prop_rows_unresolved,
        count(distinct case when resolution_status in ('player_unmatched', 'player_ambiguous') then player_name end)
            as unmatched_player_names,
        count(distinct case when resolution_status = 'unknown_team' then game_label end)
            as games_with_unknown_team_code,
        count(distinct case when resolution_status = 'game_not_found' then game_label end)
            as prop_games_not_found
    from props
    group by game_date

),

game_days as (

    select game_date from games_per_day
    union distinct
    select game_date from player_logs_per_day
    union distinct
    select game_date from props_per_day

),

final as (

    select
        game_days.game_date,
        coalesce(games_per_day.games_final, 0) as games_final,
        coalesce(games_per_day.games_missing_box_score, 0) as games_missing_box_score,
        coalesce(team_logs_per_day.team_log_rows, 0) as team_log_rows,
        coalesce(player_logs_per_day.player_rows, 0) as player_rows,
        {{ nba_props.safe_divide('player_logs_per_day.player_rows', 'games_per_day.games_final') }}
            as player_rows_per_game,
        coalesce(props_per_day.prop_rows, 0) as prop_rows,
        coalesce(props_per_day.prop_games, 0) as prop_games,
        {{ nba_props.safe_divide('props_per_day.prop_rows', 'props_per_day.prop_games') }}
            as props_per_game,
        coalesce(props_per_day.prop_rows_unresolved, 0) as prop_rows_unresolved,
        coalesce(props_per_day.unmatched_player_names, 0) as unmatched_player_names,
        coalesce(props_per_day.games_with_unknown_team_code, 0) as games_with_unknown_team_code,
        coalesce(props_per_day.prop_games_not_found, 0) as prop_games_not_found,
        team_logs_per_day.box_scores_first_loaded_at,
        {{ dbt.datediff(
            'cast(game_days.game_date as ' ~ dbt.type_timestamp() ~ ')',
            'team_logs_per_day.box_scores_first_loaded_at',
            'hour',
        ) }} as box_score_lag_hours
    from game_days
    left join games_per_day
        on game_days.game_date = games_per_day.game_date
    left join team_logs_per_day
        on game_days.game_date = team_logs_per_day.game_date
    left join player_logs_per_day
        on game_days.game_date = player_logs_per_day.game_date
    left join props_per_day
        on game_days.game_date = props_per_day.game_date

)

select * from final
