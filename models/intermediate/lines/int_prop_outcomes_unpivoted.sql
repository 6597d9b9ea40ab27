-- The settled value of every prop market for every player-game with a box score: one
-- row per (game, player, market). Each market settles on the stat named in the
-- prop_markets seed; the stat's SQL comes from the feature catalog (prop_stat_expressions),
-- the same definition the feature store uses. A market whose stat is not in the catalog
-- gets a null value, which the not_null test on actual_value reports.
{%- set stats = nba_props.prop_stat_expressions() %}

with

player_games as (

    select * from {{ ref('player_game_summary') }}
    -- BigQuery: a partition filter (require_partition_filter); every row on both engines.
    where {{ nba_props.all_partitions('game_date') }}

),

markets as (

    select * from {{ ref('prop_markets') }}

),

player_stats as (

    select
        game_id,
        player_id,
        game_date,
        team_id,
        {%- for stat, expression in stats.items() %}
        cast({{ expression }} as {{ nba_props.type_double() }}) as stat_{{ stat }},
        {%- endfor %}
        minutes
    from player_games

),

final as (

    select
        player_stats.game_id,
        player_stats.player_id,
        markets.market,
        player_stats.game_date,
        player_stats.team_id,
        markets.stat_column,
        player_stats.minutes,
        case markets.stat_column
            {%- for stat in stats %}
            when '{{ stat }}' then player_stats.stat_{{ stat }}
            {%- endfor %}
        end as actual_value
    from player_stats
    cross join markets

)

select * from final
