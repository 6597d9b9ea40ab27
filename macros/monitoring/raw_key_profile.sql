{#
    Per load (file) of one raw table: how its rows relate to the table's natural key.
    Staging keeps one row per key (the newest load), so duplicates and null keys would
    otherwise disappear without a trace; this makes them countable and testable.

    relation: source('...', '<raw table>'); key_columns: the natural key that staging
    deduplicates on; required_columns: the key columns that may never be null (default: all;
    optional parts such as snapshot_time are null in closing-line exports). Rows of keys
    that several files delivered are compared on a hash of every data column (the loader's
    _-prefixed columns excluded), so an identical re-delivery is told apart from a correction.
#}
{% macro raw_key_profile(relation, key_columns, required_columns=none) -%}
    {%- set null_key -%}
        {%- for column in required_columns or key_columns %}{{ adapter.quote(column) }} is null{% if not loop.last %} or {% endif %}{% endfor -%}
    {%- endset -%}
    with

    per_key_and_load as (

        select
            _load_id,
            {{ nba_props.natural_key_text(key_columns) }} as natural_key,
            min(_source_file) as source_file,
            min(_loaded_at) as loaded_at,
            count(*) as key_rows,
            max(case when {{ null_key }} then 1 else 0 end) as has_null_key
        from {{ relation }}
        group by 1, 2

    ),

    with_other_loads as (

        select
            *,
            count(*) over (partition by natural_key) as loads_with_key,
            max(loaded_at) over (partition by natural_key) as newest_load_of_key
        from per_key_and_load

    ),

    multi_load_keys as (

        -- Only keys that several files delivered are hashed and compared.
        select distinct natural_key
        from with_other_loads
        where loads_with_key > 1

    ),

    multi_load_rows as (

        select
            raw_rows._load_id,
            raw_rows._loaded_at,
            min(raw_rows._loaded_at) over (
                partition by multi_load_keys.natural_key, {{ nba_props.row_hash(relation, 'raw_rows') }}
            ) as first_load_of_row
        from {{ relation }} as raw_rows
        inner join multi_load_keys
            on {{ nba_props.natural_key_text(key_columns, 'raw_rows') }} = multi_load_keys.natural_key

    ),

    redelivered as (

        select
            _load_id,
            count(*) as rows_redelivered
        from multi_load_rows
        where first_load_of_row < _loaded_at
        group by _load_id

    ),

    per_load as (

        select
            _load_id,
            min(source_file) as source_file,
            min(loaded_at) as loaded_at,
            sum(key_rows) as rows_in_load,
            count(*) as distinct_keys,
            sum(case when has_null_key = 1 then key_rows else 0 end) as null_key_rows,
            sum(case when loads_with_key > 1 then key_rows else 0 end) as rows_in_other_loads,
            sum(case when newest_load_of_key > loaded_at then key_rows else 0 end) as rows_superseded
        from with_other_loads
        group by _load_id

    )

    select
        '{{ relation.identifier }}' as raw_table,
        per_load._load_id as load_id,
        per_load.source_file,
        per_load.loaded_at,
        cast(per_load.rows_in_load as {{ dbt.type_bigint() }}) as rows_in_load,
        cast(per_load.distinct_keys as {{ dbt.type_bigint() }}) as distinct_keys,
        cast(per_load.rows_in_load - per_load.distinct_keys as {{ dbt.type_bigint() }}) as duplicate_key_rows,
        cast(per_load.null_key_rows as {{ dbt.type_bigint() }}) as null_key_rows,
        cast(per_load.rows_in_other_loads as {{ dbt.type_bigint() }}) as rows_in_other_loads,
        cast(coalesce(redelivered.rows_redelivered, 0) as {{ dbt.type_bigint() }}) as rows_redelivered,
        cast(per_load.rows_superseded as {{ dbt.type_bigint() }}) as rows_superseded
    from per_load
    left join redelivered
        on per_load._load_id = redelivered._load_id
{%- endmacro %}

{#
    The natural key as one value that windows and joins can work on, with null parts
    comparing equal:
    - default (BigQuery): one string ('~' for null parts); BigQuery cannot partition by a
      FLOAT64 such as a prop's line.
    - DuckDB: a struct of the key columns (nested nulls compare equal); building the
      string costs twice as much on millions of rows.
#}
{% macro natural_key_text(key_columns, alias=none) -%}
    {{ return(adapter.dispatch('natural_key_text', 'nba_props')(key_columns, alias)) }}
{%- endmacro %}

{% macro default__natural_key_text(key_columns, alias=none) -%}
    {%- set parts = [] -%}
    {%- for column in key_columns -%}
        {%- if parts %}{% do parts.append("'|'") %}{% endif -%}
        {%- set name = (alias ~ '.' if alias else '') ~ adapter.quote(column) -%}
        {%- do parts.append("coalesce(cast(" ~ name ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {{ return(dbt.concat(parts)) }}
{%- endmacro %}

{% macro duckdb__natural_key_text(key_columns, alias=none) -%}
    {%- set parts = [] -%}
    {%- for column in key_columns -%}
        {%- do parts.append((alias ~ '.' if alias else '') ~ adapter.quote(column)) -%}
    {%- endfor -%}
    {{ return('row(' ~ parts | join(', ') ~ ')') }}
{%- endmacro %}

{#
    A hash of every data column of a raw relation (the loader's _-prefixed columns left out).
    Columns are read from the warehouse at run time; at parse time (or before the loader
    has created the table) a constant stands in.
#}
{% macro row_hash(relation, alias=none) -%}
    {%- if not execute -%}
        {{ return("''") }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) if not column.name.startswith('_') -%}
        {%- if parts %}{% do parts.append("'|'") %}{% endif -%}
        {%- set name = (alias ~ '.' if alias else '') ~ adapter.quote(column.name) -%}
        {%- do parts.append("coalesce(cast(" ~ name ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {%- if not parts -%}
        {{ return("''") }}
    {%- endif -%}
    {{ return(dbt.hash(dbt.concat(parts))) }}
{%- endmacro %}
