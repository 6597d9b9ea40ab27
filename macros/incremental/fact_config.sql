{# A fact's physical layout, per engine: documented in _incremental__macros.yml. #}
{% macro fact_config(
    date_column, unique_key, cluster_by=none, large=true, labels=none, expiration_days=none,
    replace_window=false, newest_where=none
) -%}
    {%- set cfg = {
        'materialized': 'incremental',
        'unique_key': unique_key,
        'on_schema_change': 'append_new_columns',
        'meta': {'nba_props_window_column': date_column},
    } -%}
    {%- if replace_window -%}
        {#- Delete the whole window first, then write it: rows no longer produced go too. -#}
        {%- set window_args = "'" ~ date_column ~ "', kind='delete'" -%}
        {%- if newest_where -%}
            {%- set window_args = window_args ~ ", newest_where=" ~ tojson(newest_where) -%}
            {%- do cfg['meta'].update({'nba_props_newest_where': newest_where}) -%}
        {%- endif -%}
        {%- do cfg.update({'pre_hook': "{{ nba_props.incremental_window(" ~ window_args ~ ") }}"}) -%}
    {%- endif -%}
    {%- if target.type == 'bigquery' -%}
        {%- do cfg.update({
            'incremental_strategy': 'merge',
            'partition_by': {'field': date_column, 'data_type': 'date', 'granularity': 'day'},
            'cluster_by': cluster_by or unique_key,
            'require_partition_filter': large and (var('bq_require_partition_filter') | string | lower == 'true'),
            'labels': nba_props.bq_labels('fact', labels),
        }) -%}
        {%- do cfg['meta'].update({'nba_props_merge_window': date_column}) -%}
        {%- if expiration_days is not none -%}
            {%- do cfg.update({'partition_expiration_days': expiration_days | int}) -%}
        {%- endif -%}
    {%- else -%}
        {#- A replaced window needs no per-key delete: the pre-hook emptied it. -#}
        {%- do cfg.update({'incremental_strategy': 'append' if replace_window else 'delete+insert'}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}
