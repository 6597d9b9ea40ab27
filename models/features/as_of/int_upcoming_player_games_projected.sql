-- Each player expected in each upcoming game: his newest game before as_of_date (any
-- game type but All-Star) was for one of the two teams, and either it is recent (within
-- roster_lookback_days) or a sportsbook lists him for this game. With his injury status
-- for the game date, as last reported before the cut-off (as_of_time when set).
-- A table: a few hundred rows, read by three models and two tests, each of which would
-- otherwise recompute it from the whole game history and the versioned lines.
{{ config(materialized='table') }}
{%- set roster_start = nba_props.add_days(
    'game_sides.as_of_date', -1 * var('roster_lookback_days') | int
) %}
with

upcoming_games as (

    select * from {{ ref('int_upcoming_games_filtered') }}

),

player_games as (

    select * from {{ ref('int_player_games_joined') }}
    where game_type != 'all_star'

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

props as (

    -- Players a bookmaker listed for the game by the cut-off (upcoming games only).
    select distinct
        book_lines.game_id,
        book_lines.player_id
    from {{ ref('int_player_prop_lines_versioned') }} as book_lines
    cross join as_of
    where
        book_lines.game_date >= as_of.as_of_date
        and (as_of.as_of_time is null or book_lines.valid_from <= as_of.as_of_time)

),

injuries as (

    select * from {{ ref('int_injury_reports_resolved') }}
    where player_id is not null

),

players as (

    select * from {{ ref('int_player_registry_unioned') }}

),

game_sides as (

    select
        game_id,
        game_date,
        game_time_utc,
        season_start_year,
        game_type,
        home_team_id as team_id,
        away_team_id as opponent_team_id,
        true as is_home,
        as_of_date,
        as_of_time
    from upcoming_games
    union all
    select
        game_id,
        game_date,
        game_time_utc,
        season_start_year,
        game_type,
        away_team_id as team_id,
        home_team_id as opponent_team_id,
        false as is_home,
        as_of_date,
        as_of_time
    from upcoming_games

),

latest_team as (

    select
        player_games.player_id,
        player_games.team_id,
        player_games.game_date as last_game_date,
        row_number() over (
            partition by player_games.player_id
            order by player_games.game_date desc, player_games.game_id desc
        ) as recency_rank
    from player_games
    cross join as_of
    where player_games.game_date < as_of.as_of_date

),

candidates as (

    select
        game_sides.*,
        latest_team.player_id,
        latest_team.last_game_date,
        latest_team.last_game_date >= {{ roster_start }} as is_recent,
        props.player_id is not null as has_prop_listing
    from game_sides
    inner join latest_team
        on
            game_sides.team_id = latest_team.team_id
            and latest_team.recency_rank = 1
    left join props
        on
            game_sides.game_id = props.game_id
            and latest_team.player_id = props.player_id

),

projected as (

    select
        *,
        case when is_recent then 'recent_games' else 'prop_listing' end as roster_source
    from candidates
    where is_recent or has_prop_listing

),

injury_ranked as (

    select
        projected.game_id,
        projected.player_id,
        injuries.injury_status,
        injuries.injury_reason,
        injuries.report_time,
        row_number() over (
            partition by projected.game_id, projected.player_id
            order by injuries.report_time desc
        ) as report_rank
    from projected
    inner join injuries
        on
            projected.player_id = injuries.player_id
            and projected.game_date = injuries.game_date
    where projected.as_of_time is null or injuries.report_time <= projected.as_of_time

),

final as (

    select
        projected.game_id,
        projected.player_id,
        players.player_name,
        projected.game_date,
        projected.game_time_utc,
        projected.season_start_year,
        projected.game_type,
        projected.team_id,
        projected.opponent_team_id,
        projected.is_home,
        projected.as_of_date,
        projected.roster_source,
        projected.has_prop_listing,
        projected.last_game_date,
        {{ nba_props.days_between('projected.last_game_date', 'projected.game_date') }}
            as days_since_last_game,
        injury_ranked.injury_status,
        injury_ranked.injury_reason,
        injury_ranked.report_time as injury_report_time,
        coalesce(injury_ranked.injury_status, 'available') != 'out' as is_expected_to_play,
        case coalesce(injury_ranked.injury_status, 'available')
            when 'out' then 0.0
            when 'doubtful' then 0.25
            when 'questionable' then 0.5
            when 'probable' then 0.9
            else 1.0
        end as play_probability
    from projected
    left join injury_ranked
        on
            projected.game_id = injury_ranked.game_id
            and projected.player_id = injury_ranked.player_id
            and injury_ranked.report_rank = 1
    left join players
        on projected.player_id = players.player_id

)

select * from final
