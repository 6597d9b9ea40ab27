-- Each team's state AFTER each competitive game: pace and offensive/defensive ratings
-- over the last 10 games and the season to date, numbered per team in date order.
with

team_games as (

    select * from {{ ref('int_team_games_paired') }}

),

game_types as (

    select * from {{ ref('game_types') }}

),

competitive as (

    select team_games.*
    from team_games
    inner join game_types
        on team_games.game_type = game_types.game_type
    where game_types.is_competitive

),

numbered as (

    -- Fractional values as fixed-point, so the rolling sums are exact.
    select
        team_id,
        game_id,
        game_date,
        season_start_year,
        points,
        opp_points,
        cast(pace as {{ nba_props.type_exact() }}) as pace,
        cast(possessions as {{ nba_props.type_exact() }}) as possessions,
        cast(opp_possessions as {{ nba_props.type_exact() }}) as opp_possessions,
        row_number() over (
            partition by team_id
            order by game_date, game_id
        ) as event_number
    from competitive

),

window_sums as (

    select
        team_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        count(pace) over last_10 as pace_games_l10,
        sum(pace) over last_10 as pace_sum_l10,
        count(pace) over season_to_date as pace_games_season,
        sum(pace) over season_to_date as pace_sum_season,
        count(*) over last_10 as games_l10,
        sum(points) over last_10 as points_l10,
        sum(possessions) over last_10 as possessions_l10,
        sum(opp_points) over last_10 as opp_points_l10,
        sum(opp_possessions) over last_10 as opp_possessions_l10,
        sum(opp_points) over season_to_date as opp_points_season,
        sum(opp_possessions) over season_to_date as opp_possessions_season
    from numbered
    window
        last_10 as (
            partition by team_id order by game_date, game_id
            rows between 9 preceding and current row
        ),
        season_to_date as (
            partition by team_id, season_start_year order by game_date, game_id
            rows between unbounded preceding and current row
        )

),

final as (

    select
        team_id,
        game_id,
        game_date,
        season_start_year,
        event_number,
        {{ nba_props.safe_divide('pace_sum_l10', 'pace_games_l10') }} as pace_l10,
        {{ nba_props.safe_divide('pace_sum_season', 'pace_games_season') }} as pace_season,
        {{ nba_props.safe_divide('100 * points_l10', 'possessions_l10') }} as offensive_rating_l10,
        {{ nba_props.safe_divide('100 * opp_points_l10', 'opp_possessions_l10') }}
            as defensive_rating_l10,
        {{ nba_props.safe_divide('100 * opp_points_season', 'opp_possessions_season') }}
            as defensive_rating_season,
        {{ nba_props.safe_divide('opp_points_l10', 'games_l10') }} as points_allowed_avg_l10
    from window_sums

)

select * from final
