-- A table, not a view like the rest of the folder: it is read by team_defense_zone_analysis,
-- player_composite_factors (twice) and upcoming_team_game_context,
-- and a view would be recomputed (with the upcoming-roster projection) by each. It is
-- rebuilt in full on every run, so it always holds the whole history.
{{ config(materialized='table') }}

-- Every (team, game) that gets team features: competitive games played before
-- as_of_date (as of their own date) and upcoming games (as of as_of_date), with the
-- team's state after its last competitive game strictly before that date.
with

team_games as (

    select * from {{ ref('int_team_games_paired') }}

),

team_history as (

    select * from {{ ref('int_team_games_rolled') }}

),

upcoming_games as (

    select * from {{ ref('int_upcoming_games_filtered') }}

),

game_types as (

    select * from {{ ref('game_types') }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

targets as (

    select
        team_games.team_id,
        team_games.game_id,
        team_games.game_date,
        team_games.game_date as feature_as_of_date,
        team_games.season_start_year,
        team_games.opponent_team_id,
        team_games.is_home,
        false as is_upcoming
    from team_games
    inner join game_types
        on team_games.game_type = game_types.game_type
    cross join as_of
    where
        game_types.is_competitive
        and team_games.opponent_team_id is not null
        and team_games.game_date < as_of.as_of_date
    union all
    select
        home_team_id as team_id,
        game_id,
        game_date,
        as_of_date as feature_as_of_date,
        season_start_year,
        away_team_id as opponent_team_id,
        true as is_home,
        true as is_upcoming
    from upcoming_games
    union all
    select
        away_team_id as team_id,
        game_id,
        game_date,
        as_of_date as feature_as_of_date,
        season_start_year,
        home_team_id as opponent_team_id,
        false as is_home,
        true as is_upcoming
    from upcoming_games

),

located as (

    {{ nba_props.prior_event_number(
        targets='targets',
        target_date='feature_as_of_date',
        events='team_history',
        partition_by=['team_id'],
    ) }}

),

recent_games as (

    -- Games in the 7 days before the game date that were already played at the as-of date.
    select
        targets.team_id,
        targets.game_id,
        count(*) as games_last_7_days
    from targets
    inner join team_history
        on
            targets.team_id = team_history.team_id
            and {{ nba_props.add_days('targets.game_date', -7) }} <= team_history.game_date
            and targets.feature_as_of_date > team_history.game_date
    group by targets.team_id, targets.game_id

),

final as (

    select
        targets.*,
        located.prior_event_number as games_before,
        team_history.game_date as last_game_date,
        case
            when team_history.season_start_year = targets.season_start_year
                then {{ nba_props.days_between('team_history.game_date', 'targets.game_date') }} - 1
        end as days_rest,
        coalesce(recent_games.games_last_7_days, 0) as games_last_7_days,
        team_history.pace_l10,
        case
            when team_history.season_start_year = targets.season_start_year
                then team_history.pace_season
        end as pace_season,
        team_history.offensive_rating_l10,
        team_history.defensive_rating_l10,
        case
            when team_history.season_start_year = targets.season_start_year
                then team_history.defensive_rating_season
        end as defensive_rating_season,
        team_history.points_allowed_avg_l10
    from targets
    inner join located
        on
            targets.team_id = located.team_id
            and targets.game_id = located.game_id
    left join team_history
        on
            located.team_id = team_history.team_id
            and located.prior_event_number = team_history.event_number
    left join recent_games
        on
            targets.team_id = recent_games.team_id
            and targets.game_id = recent_games.game_id

)

select * from final
