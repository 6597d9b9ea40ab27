-- Per game day and market: every player the feed listed a line for, how many of them got
-- a live prediction (from any system), and why the others did not. Days count from the
-- first live prediction on, and up to the newest one, so seasons before the ML workers ran
-- and days not predicted yet do not read as gaps. Markets the project does not model, and
-- lines whose player or game did not resolve, are rows and counts here too: what was not
-- predicted is never silent.
with

props as (

    select * from {{ ref('int_player_props_resolved') }}

),

predictions as (

    select * from {{ ref('stg_nba_predictions__player_prop_predictions') }}
    where run_mode = 'live'

),

prediction_window as (

    select
        min(game_date) as first_prediction_date,
        max(game_date) as last_prediction_date
    from predictions

),

listed_lines as (

    select
        props.game_date,
        props.market,
        props.game_label,
        props.game_id,
        props.player_id,
        coalesce(cast(props.player_id as {{ dbt.type_string() }}), props.player_name)
            as player_key,
        case
            when props.resolution_status = 'resolved' then 0
            when props.resolution_status like 'market_%' then 1
            when props.resolution_status like 'player_%' then 2
            else 3
        end as status_rank
    from props
    cross join prediction_window
    where
        props.game_date between prediction_window.first_prediction_date
        and prediction_window.last_prediction_date

),

-- One row per listed player, game and market: resolved when any of its lines resolved
-- (an unresolved spelling from one book does not hide another book's resolved line).
players_listed as (

    select
        game_date,
        market,
        game_label,
        player_key,
        max(game_id) as game_id,
        max(player_id) as player_id,
        min(status_rank) as status_rank
    from listed_lines
    group by game_date, market, game_label, player_key

),

players_predicted as (

    select
        game_id,
        player_id,
        market,
        count(distinct system_id) as systems
    from predictions
    group by game_id, player_id, market

),

classified as (

    select
        players_listed.game_date,
        players_listed.market,
        players_listed.status_rank,
        players_predicted.player_id is not null as is_predicted,
        players_predicted.systems
    from players_listed
    left join players_predicted
        on
            players_listed.game_id = players_predicted.game_id
            and players_listed.player_id = players_predicted.player_id
            and players_listed.market = players_predicted.market

),

final as (

    select
        game_date,
        market,
        count(*) as players_listed,
        count(case when status_rank = 0 then 1 end) as players_with_line,
        count(case when status_rank = 0 and is_predicted then 1 end) as players_predicted,
        count(case when status_rank = 0 and not is_predicted then 1 end)
            as players_missing_prediction,
        {{ nba_props.safe_divide(
            'count(case when status_rank = 0 and is_predicted then 1 end)',
            'count(case when status_rank = 0 then 1 end)'
        ) }} as coverage,
        -- Why the others were not predicted:
        count(case when status_rank = 1 then 1 end) as not_predicted_market_not_modelled,
        count(case when status_rank = 2 then 1 end) as not_predicted_player_unresolved,
        count(case when status_rank = 3 then 1 end) as not_predicted_game_unresolved,
        max(systems) as max_systems_per_player
    from classified
    group by game_date, market

)

select * from final
