-- The "now" of the precompute layer, one row. Upcoming games are those on or after
-- as_of_date (within the horizon); their features use only games strictly before it.
-- Default: the day after the newest final game, so a daily run needs no var.
{%- set as_of_date = var('as_of_date') %}
{%- set as_of_time = var('as_of_time') %}
{%- if as_of_date is not none %}
{%- set as_of_date_sql = nba_props.date_literal(as_of_date) %}
{%- else %}
{%- set as_of_date_sql = 'coalesce(' ~ nba_props.add_days('newest_final_game_date', 1) ~ ', current_date)' %}
{%- endif %}
{%- if as_of_time is not none %}
{%- set as_of_time_sql = "cast('" ~ as_of_time ~ "' as timestamp)" %}
{%- else %}
{%- set as_of_time_sql = 'cast(null as timestamp)' %}
{%- endif %}
with

games as (

    select * from {{ ref('int_games_unified') }}

),

newest_final_game as (

    select max(game_date) as newest_final_game_date
    from games
    where game_status = 'final'

),

final as (

    select
        {{ as_of_date_sql }} as as_of_date,
        {{ as_of_time_sql }} as as_of_time,
        newest_final_game_date,
        {{ var('upcoming_days') }} as upcoming_days,
        {{ var('roster_lookback_days') }} as roster_lookback_days
    from newest_final_game

)

select * from final
