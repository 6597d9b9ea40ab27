-- One line per (game, player, market): the line current at the cut-off, from the most
-- preferred bookmaker, with the consensus (average of each bookmaker's current line) and
-- the opening line. Cut-off: tip-off for every game; for upcoming games also as_of_time
-- when it is set. A line is never taken from after the cut-off.
with

props as (

    select * from {{ ref('int_player_props_resolved') }}
    where resolution_status = 'resolved'

),

bookmakers as (

    select * from {{ ref('bookmaker_priority') }}

),

as_of as (

    select * from {{ ref('int_as_of_dates_resolved') }}

),

known_lines as (

    select
        props.game_id,
        props.player_id,
        props.market,
        props.bookmaker,
        props.line,
        props.over_odds,
        props.under_odds,
        props.line_timestamp,
        props.game_date,
        props.game_date >= as_of.as_of_date as is_upcoming,
        coalesce(bookmakers.priority, 999) as bookmaker_priority,
        -- Distance from an even price (implied probabilities), to pick the main line
        -- when a bookmaker lists several at once.
        coalesce(abs(
            case
                when props.over_odds < 0 then -props.over_odds / (100 - props.over_odds)
                else 100 / (props.over_odds + 100)
            end
            - case
                when props.under_odds < 0 then -props.under_odds / (100 - props.under_odds)
                else 100 / (props.under_odds + 100)
            end
        ), 1) as price_imbalance
    from props
    cross join as_of
    left join bookmakers
        on props.bookmaker = bookmakers.bookmaker
    where
        props.line_timestamp <= props.commence_time_utc
        and (
            props.game_date < as_of.as_of_date
            or as_of.as_of_time is null
            or props.line_timestamp <= as_of.as_of_time
        )

),

ranked as (

    select
        *,
        row_number() over (
            partition by game_id, player_id, market, bookmaker
            order by line_timestamp desc, price_imbalance, line
        ) as current_rank,
        row_number() over (
            partition by game_id, player_id, market, bookmaker
            order by line_timestamp, price_imbalance, line
        ) as opening_rank
    from known_lines

),

bookmaker_lines as (

    select
        game_id,
        player_id,
        market,
        bookmaker,
        bookmaker_priority,
        max(game_date) as game_date,
        max(case when current_rank = 1 then line end) as current_line,
        max(case when current_rank = 1 then over_odds end) as current_over_odds,
        max(case when current_rank = 1 then under_odds end) as current_under_odds,
        max(case when current_rank = 1 then line_timestamp end) as current_line_timestamp,
        max(case when opening_rank = 1 then line end) as opening_line
    from ranked
    where current_rank = 1 or opening_rank = 1
    group by game_id, player_id, market, bookmaker, bookmaker_priority

),

preferred as (

    select
        *,
        row_number() over (
            partition by game_id, player_id, market
            order by bookmaker_priority, bookmaker
        ) as preference_rank,
        avg(current_line) over (partition by game_id, player_id, market) as consensus_line,
        count(*) over (partition by game_id, player_id, market) as bookmaker_count
    from bookmaker_lines

),

final as (

    select
        game_id,
        player_id,
        market,
        game_date,
        bookmaker as line_bookmaker,
        current_line as prop_line,
        current_over_odds as prop_over_odds,
        current_under_odds as prop_under_odds,
        current_line_timestamp as prop_line_timestamp,
        opening_line as prop_opening_line,
        consensus_line as prop_line_consensus,
        bookmaker_count as prop_bookmaker_count
    from preferred
    where preference_rank = 1

)

select * from final
