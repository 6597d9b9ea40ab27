{# Incremental staging tables that take only what the raw loads changed: documented in _incremental__macros.yml. #}
{% macro staging_config(source_name, table_name, keys, date_column, cluster_by, unit='key') -%}
    {#- unit: 'key' (each key keeps its newest load) or 'game' (a game's rows its newest load). -#}
    {%- set delete_macro = 'delete_superseded_games' if unit == 'game' else 'delete_superseded_keys' -%}
    {%- set cfg = {
        'materialized': 'incremental',
        'on_schema_change': 'append_new_columns',
        'pre_hook': "{{ nba_props." ~ delete_macro ~ "(source('" ~ source_name ~ "', '"
            ~ table_name ~ "'), " ~ tojson(keys) ~ ") }}",
    } -%}
    {%- if target.type == 'bigquery' -%}
        {%- do cfg.update({
            'incremental_strategy': 'merge',
            'partition_by': {'field': date_column, 'data_type': 'date', 'granularity': 'day'},
            'cluster_by': cluster_by,
            'labels': nba_props.bq_labels('staging'),
        }) -%}
    {%- else -%}
        {%- do cfg.update({'incremental_strategy': 'append'}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}

{# `<left>.c is not distinct from <right> and ...`, one term per key part. #}
{% macro key_parts_match(keys, left, right_index, right_alias=none) -%}
    {%- for key in keys %}{% if not loop.first %} and {% endif %}{{ left }}.{{ key[0] if left == 'staged' else key[1] }} is not distinct from {{ key[right_index] if right_alias is none else right_alias ~ '.' ~ key[right_index] }}{% endfor -%}
{%- endmacro %}

{#
    Pre-hook of a staging table where each key keeps its newest load: delete the staged
    rows of a key that a later load delivered again.
#}
{% macro delete_superseded_keys(raw_relation, keys) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as staged
        where exists (
            select 1
            from {{ raw_relation }} as raw_keys
            where {{ nba_props.key_parts_match(keys, 'staged', 2) }}
                and raw_keys._loaded_at > staged.loaded_at
        )
    {%- endif -%}
{%- endmacro %}

{#
    Pre-hook of a staging table where a game's rows all come from its newest load (shot
    exports): delete the staged rows of a game that a later load exported again.
    keys: the one game key, as above.
#}
{% macro delete_superseded_games(raw_relation, keys) -%}
    {%- set game = keys[0] -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as staged
        where exists (
            select 1
            from (
                select
                    {{ game[2] }} as game_id,
                    max(raw_keys.load_id) as load_id
                from (
                    select
                        {{ game[1] }},
                        max(_load_id) as load_id
                    from {{ raw_relation }}
                    group by 1
                ) as raw_keys
                group by 1
            ) as newest_loads
            where newest_loads.game_id = staged.{{ game[0] }}
                and newest_loads.load_id > staged.load_id
        )
    {%- endif -%}
{%- endmacro %}

{#
    The model's import of its raw table: every row on a full build; on incremental runs
    only the rows of the distinct raw keys whose staged key the table does not hold.
#}
{% macro unstaged_raw_rows(raw_relation, keys) -%}
    select raw_rows.*
    from {{ raw_relation }} as raw_rows
    {%- if is_incremental() %}
    inner join (
        select raw_keys.*
        from (
            select distinct {% for key in keys %}{{ key[1] }}{% if not loop.last %}, {% endif %}{% endfor %}
            from {{ raw_relation }}
        ) as raw_keys
        where not exists (
            select 1
            from (
                select distinct {% for key in keys %}{{ key[0] }}{% if not loop.last %}, {% endif %}{% endfor %}
                from {{ this }}
            ) as staged
            where {{ nba_props.key_parts_match(keys, 'staged', 2) }}
        )
    ) as unstaged_keys
        on {{ nba_props.key_parts_match(keys, 'raw_rows', 1, 'unstaged_keys') }}
    {%- endif %}
{%- endmacro %}
