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

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

line_versions as (

    select * from {{ ref('player_prop_lines_preferred') }}

),

game_lines as (

    select * from {{ ref('int_game_lines_selected') }}

),

prop_lines as (

    -- The version valid at the cut-off (as_of_time, else the current line). Upcoming games
    -- only (from as_of_date on), as in projected.
    select line_versions.*
    from line_versions
    cross join as_of
    where
        line_versions.game_date >= as_of.as_of_date
        and {{ nba_props.line_valid_at_cut_off('line_versions', 'as_of') }}

),

opening_lines as (

    -- The first version known by the cut-off (upcoming games only).
    select
        game_id,
        player_id,
        market,
        line as opening_line
    from (
        select
            line_versions.*,
            row_number() over (
                partition by line_versions.game_id, line_versions.player_id, line_versions.market
                order by line_versions.valid_from
            ) as version_rank
        from line_versions
        cross join as_of
        where
            line_versions.game_date >= as_of.as_of_date
            and (as_of.as_of_time is null or line_versions.valid_from <= as_of.as_of_time)
    ) as ranked
    where version_rank = 1

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
        prop_lines.bookmaker as line_bookmaker,
        prop_lines.line as prop_line,
        prop_lines.over_odds as prop_over_odds,
        prop_lines.under_odds as prop_under_odds,
        prop_lines.line_timestamp as prop_line_timestamp,
        prop_lines.valid_from as prop_line_valid_from,
        opening_lines.opening_line as prop_opening_line,
        prop_lines.line - opening_lines.opening_line as prop_line_movement,
        prop_lines.consensus_line as prop_line_consensus,
        coalesce(prop_lines.n_books, 0) as prop_bookmaker_count,
        prop_lines.line is not null as has_prop_line,
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
    left join opening_lines
        on
            projected.game_id = opening_lines.game_id
            and projected.player_id = opening_lines.player_id
            and markets.market = opening_lines.market
    left join game_lines
        on projected.game_id = game_lines.game_id

)

select * from final
