-- Every game known to be final, from any feed, and whether both teams' box scores (the
-- team game logs) arrived. A game is known to be final when the schedule says so, when a
-- team or player box score exists, when a closing game line carries a final score, or
-- when it was scheduled before the newest box-score date and never marked postponed.
-- Games that are only in a feed without a game id (game lines) are keyed by date and teams.
with

games as (

    select * from {{ ref('int_games_unified') }}

),

game_lines as (

    select * from {{ ref('int_game_lines_resolved') }}

),

player_logs as (

    select * from {{ ref('stg_nbacom__player_game_logs') }}

),

team_logs as (

    select * from {{ ref('stg_nbacom__team_game_logs') }}

),

newest_box_score as (

    select max(game_date) as newest_box_score_date
    from team_logs

),

team_log_sides as (

    select
        game_id,
        max(case when is_home then 1 else 0 end) = 1 as has_home_team_log,
        max(case when not is_home then 1 else 0 end) = 1 as has_away_team_log
    from team_logs
    group by game_id

),

player_rows as (

    select
        game_id,
        count(*) as player_rows,
        count(distinct team_id) as teams_with_player_rows,
        min(game_date) as game_date,
        max(case when is_home then team_id end) as home_team_id,
        max(case when not is_home then team_id end) as away_team_id
    from player_logs
    group by game_id

),

games_with_evidence as (

    select
        games.game_id,
        games.game_date,
        games.home_team_id,
        games.away_team_id,
        games.game_type,
        case
            when games.team_log_rows > 0 then 'team_box_score'
            when games.game_status = 'final' then 'schedule_final'
            when player_rows.game_id is not null then 'player_box_score'
            else 'scheduled_before_newest_box_score'
        end as final_evidence,
        games.team_log_rows
    from games
    cross join newest_box_score
    left join player_rows
        on games.game_id = player_rows.game_id
    where
        games.team_log_rows > 0
        or games.game_status = 'final'
        or player_rows.game_id is not null
        or (
            games.game_status = 'scheduled'
            and games.game_date < newest_box_score.newest_box_score_date
        )

),

player_only_games as (

    -- Player box scores whose game is in no team log and no schedule.
    select
        player_rows.game_id,
        player_rows.game_date,
        player_rows.home_team_id,
        player_rows.away_team_id,
        cast(null as {{ dbt.type_string() }}) as game_type,
        'player_box_score' as final_evidence,
        0 as team_log_rows
    from player_rows
    left join games
        on player_rows.game_id = games.game_id
    where games.game_id is null

),

game_line_only_games as (

    -- Closing lines with a final score for a date and pairing no NBA.com game matches
    -- (and no player box score names either: that game is listed once, by its id).
    select
        cast(null as {{ dbt.type_string() }}) as game_id,
        game_lines.game_date,
        game_lines.home_team_id,
        game_lines.away_team_id,
        cast(null as {{ dbt.type_string() }}) as game_type,
        'game_line_final_score' as final_evidence,
        0 as team_log_rows
    from game_lines
    left join player_only_games
        on
            game_lines.game_date = player_only_games.game_date
            and game_lines.home_team_id = player_only_games.home_team_id
            and game_lines.away_team_id = player_only_games.away_team_id
    where
        game_lines.resolution_status = 'game_not_found'
        and game_lines.home_points is not null
        and game_lines.away_points is not null
        and player_only_games.game_id is null
    group by game_lines.game_date, game_lines.home_team_id, game_lines.away_team_id

),

unioned as (

    select * from games_with_evidence
    union all
    select * from player_only_games
    union all
    select * from game_line_only_games

),

final as (

    select
        coalesce(
            unioned.game_id,
            cast(unioned.game_date as {{ dbt.type_string() }})
            || ':' || cast(unioned.home_team_id as {{ dbt.type_string() }})
            || ':' || cast(unioned.away_team_id as {{ dbt.type_string() }})
        ) as game_key,
        unioned.game_id,
        unioned.game_date,
        unioned.home_team_id,
        unioned.away_team_id,
        unioned.game_type,
        unioned.final_evidence,
        unioned.team_log_rows,
        coalesce(team_log_sides.has_home_team_log, false) as has_home_team_log,
        coalesce(team_log_sides.has_away_team_log, false) as has_away_team_log,
        coalesce(player_rows.player_rows, 0) as player_rows,
        coalesce(player_rows.teams_with_player_rows, 0) as teams_with_player_rows,
        case
            when unioned.team_log_rows >= 2 then 'complete'
            when unioned.team_log_rows = 1 then 'missing_one_team'
            else 'missing_both_teams'
        end as completeness_status
    from unioned
    left join team_log_sides
        on unioned.game_id = team_log_sides.game_id
    left join player_rows
        on unioned.game_id = player_rows.game_id

)

select * from final
