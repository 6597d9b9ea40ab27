-- A table, not a view like the rest of the folder: it is read by player_daily_cache, player_shot_zone_analysis,
-- player_composite_factors and ml_feature_store_v2,
-- and a view would be recomputed (with the upcoming-roster projection) by each. It is
-- rebuilt in full on every run, so it always holds the whole history.
{{ config(materialized='table') }}

-- Every (player, game) that gets features, with the date they are computed as of and the
-- number of the player's competitive games strictly before that date:
--   played games before as_of_date: as of their own game date (training rows);
--   projected upcoming games: as of as_of_date (only games already played are known).
with

player_games as (

    select * from {{ ref('int_player_games_sequenced') }}

),

upcoming as (

    select * from {{ ref('int_upcoming_player_games_projected') }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

targets as (

    select
        player_games.player_id,
        player_games.game_id,
        player_games.game_date,
        player_games.game_date as feature_as_of_date,
        player_games.season_start_year,
        player_games.game_type,
        player_games.team_id,
        player_games.opponent_team_id,
        player_games.is_home,
        false as is_upcoming
    from player_games
    cross join as_of
    where player_games.game_date < as_of.as_of_date
    union all
    select
        player_id,
        game_id,
        game_date,
        as_of_date as feature_as_of_date,
        season_start_year,
        game_type,
        team_id,
        opponent_team_id,
        is_home,
        true as is_upcoming
    from upcoming

),

located as (

    {{ nba_props.prior_event_number(
        targets='targets',
        target_date='feature_as_of_date',
        events='player_games',
        partition_by=['player_id'],
    ) }}

),

final as (

    select
        targets.*,
        located.prior_event_number as games_before
    from targets
    inner join located
        on
            targets.player_id = located.player_id
            and targets.game_id = located.game_id

)

select * from final
