-- For each upcoming game and each of its teams: rest, recent form and pace (from games
-- strictly before as_of_date), the game line current at the cut-off, and how many of the
-- team's projected players are out or doubtful. Rebuilt on every run.
with

team_states as (

    select * from {{ ref('int_team_feature_spine_unioned') }}
    where is_upcoming

),

upcoming_games as (

    select * from {{ ref('int_upcoming_games_filtered') }}

),

projected as (

    select * from {{ ref('int_upcoming_player_games_projected') }}

),

game_lines as (

    select * from {{ ref('int_game_lines_selected') }}

),

availability as (

    select
        game_id,
        team_id,
        count(*) as players_projected,
        sum(case when injury_status = 'out' then 1 else 0 end) as players_out,
        sum(case when injury_status = 'doubtful' then 1 else 0 end) as players_doubtful,
        sum(case when injury_status = 'questionable' then 1 else 0 end) as players_questionable,
        sum(play_probability) as expected_available_players
    from projected
    group by game_id, team_id

),

final as (

    select
        team_states.game_id,
        team_states.team_id,
        team_states.opponent_team_id,
        team_states.game_date,
        upcoming_games.game_time_utc,
        upcoming_games.game_type,
        upcoming_games.game_status,
        team_states.season_start_year,
        team_states.is_home,
        upcoming_games.as_of_date,
        upcoming_games.as_of_time,
        team_states.games_before as games_played_total,
        team_states.last_game_date,
        team_states.days_rest,
        coalesce(team_states.days_rest = 0, false) as is_back_to_back,
        team_states.games_last_7_days,
        team_states.pace_l10,
        opponent.pace_l10 as opponent_pace_l10,
        team_states.offensive_rating_l10,
        team_states.defensive_rating_l10,
        opponent.offensive_rating_l10 as opponent_offensive_rating_l10,
        opponent.defensive_rating_l10 as opponent_defensive_rating_l10,
        game_lines.game_line_bookmaker,
        case
            when team_states.is_home then game_lines.home_spread
            else -game_lines.home_spread
        end as team_spread,
        game_lines.game_total,
        game_lines.game_total / 2
        - (case when team_states.is_home then game_lines.home_spread else -game_lines.home_spread end) / 2
            as implied_team_total,
        game_lines.game_line_timestamp,
        coalesce(availability.players_projected, 0) as players_projected,
        coalesce(availability.players_out, 0) as players_out,
        coalesce(availability.players_doubtful, 0) as players_doubtful,
        coalesce(availability.players_questionable, 0) as players_questionable,
        coalesce(availability.expected_available_players, 0) as expected_available_players
    from team_states
    inner join upcoming_games
        on team_states.game_id = upcoming_games.game_id
    left join team_states as opponent
        on
            team_states.game_id = opponent.game_id
            and team_states.opponent_team_id = opponent.team_id
    left join game_lines
        on team_states.game_id = game_lines.game_id
    left join availability
        on
            team_states.game_id = availability.game_id
            and team_states.team_id = availability.team_id

)

select * from final
