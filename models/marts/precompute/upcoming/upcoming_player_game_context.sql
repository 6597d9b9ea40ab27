-- For each upcoming game (as_of_date to as_of_date + upcoming_days), each player expected
-- to play (recent roster or a sportsbook listing) and each prop market: his injury status
-- and the prop line and game line current at the cut-off (as_of_time, else the newest
-- line timed before tip-off). Rebuilt on every run.
with

projected as (

    select * from {{ ref('int_upcoming_player_games_projected') }}

),

markets as (

    select * from {{ ref('prop_markets') }}

),

prop_lines as (

    select * from {{ ref('int_player_prop_lines_selected') }}

),

game_lines as (

    select * from {{ ref('int_game_lines_selected') }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

final as (

    select
        projected.game_id,
        projected.player_id,
        markets.market,
        markets.stat_column,
        projected.player_name,
        projected.game_date,
        projected.game_time_utc,
        projected.season_start_year,
        projected.game_type,
        projected.team_id,
        projected.opponent_team_id,
        projected.is_home,
        as_of.as_of_date,
        as_of.as_of_time,
        projected.roster_source,
        projected.last_game_date,
        projected.days_since_last_game,
        projected.injury_status,
        projected.injury_reason,
        projected.injury_report_time,
        projected.is_expected_to_play,
        projected.play_probability,
        prop_lines.line_bookmaker,
        prop_lines.prop_line,
        prop_lines.prop_over_odds,
        prop_lines.prop_under_odds,
        prop_lines.prop_line_timestamp,
        prop_lines.prop_opening_line,
        prop_lines.prop_line - prop_lines.prop_opening_line as prop_line_movement,
        prop_lines.prop_line_consensus,
        coalesce(prop_lines.prop_bookmaker_count, 0) as prop_bookmaker_count,
        prop_lines.prop_line is not null as has_prop_line,
        game_lines.game_line_bookmaker,
        case
            when projected.is_home then game_lines.home_spread
            else -game_lines.home_spread
        end as team_spread,
        game_lines.game_total,
        game_lines.game_total / 2
        - (case when projected.is_home then game_lines.home_spread else -game_lines.home_spread end) / 2
            as implied_team_total,
        game_lines.game_line_timestamp
    from projected
    cross join markets
    cross join as_of
    left join prop_lines
        on
            projected.game_id = prop_lines.game_id
            and projected.player_id = prop_lines.player_id
            and markets.market = prop_lines.market
    left join game_lines
        on projected.game_id = game_lines.game_id

)

select * from final
