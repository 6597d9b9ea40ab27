-- Competitive games in the upcoming horizon [as_of_date, as_of_date + upcoming_days),
-- whatever their status (a backtest as_of_date treats played games as upcoming).
with

games as (

    select * from {{ ref('int_games_unified') }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

final as (

    select
        games.game_id,
        games.game_date,
        games.game_time_utc,
        games.season_start_year,
        games.season,
        games.game_type,
        games.home_team_id,
        games.away_team_id,
        games.home_team_tricode,
        games.away_team_tricode,
        games.game_status,
        as_of.as_of_date,
        as_of.as_of_time
    from games
    cross join as_of
    where
        games.is_competitive
        and games.game_status != 'postponed'
        and games.game_date >= as_of.as_of_date
        and games.game_date < {{ nba_props.add_days('as_of.as_of_date', 'as_of.upcoming_days') }}
        and games.home_team_id is not null
        and games.away_team_id is not null

)

select * from final
