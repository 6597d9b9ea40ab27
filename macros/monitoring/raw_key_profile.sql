{#
    Per load (file) of one raw table: how its rows relate to the table's natural key.
    Staging keeps one row per key (the newest load), so duplicates and null keys would
    otherwise disappear without a trace; this makes them countable and testable.

    relation: source('...', '<raw table>'); key_columns: the natural key that staging
    deduplicates on; required_columns: the key columns that may never be null (default: all;
    optional parts such as snapshot_time are null in closing-line exports). Rows of keys
    that several files delivered are compared on a hash of every data column (the loader's
    _-prefixed columns excluded), so an identical re-delivery is told apart from a correction.

    Nearly every key comes from one file: one aggregate by key settles those, and only the
    keys several files delivered are looked at per file and hashed.

    Incremental runs profile the loads that are new since the last run, and the older loads
    that share a key with them (their counts of re-delivered and superseded rows change);
    the rows in scope are every row of a key those loads hold, so their counts are exact.
    The keys are computed only for rows inside the range of those loads' key columns
    (key_range_filter): a game day's loads span a few days of tip-offs and game ids, so
    the 12M props and 4.7M shots of 20 seasons are not all keyed on every run.
#}
{% macro raw_key_profile(relation, key_columns, required_columns=none) -%}
    {%- set null_key -%}
        {%- for column in required_columns or key_columns %}{{ adapter.quote(column) }} is null{% if not loop.last %} or {% endif %}{% endfor -%}
    {%- endset -%}
    with

    loads as (

        -- Numbered: a key's first and last load are told apart by a number, not by
        -- comparing load id strings on millions of keys.
        select
            _load_id,
            min(_source_file) as source_file,
            min(_loaded_at) as loaded_at,
            row_number() over (order by _load_id) as load_number
        from {{ relation }}
        group by _load_id

    ),

    {%- if is_incremental() %}

    new_loads as (

        select
            _load_id,
            load_number
        from loads
        where _load_id not in (
            select load_id from {{ this }}
            where raw_table = '{{ relation.identifier }}'
        )

    ),

    new_key_columns as (

        select distinct {{ nba_props.key_column_refs(key_columns, 'raw_rows') | join(', ') }}
        from {{ relation }} as raw_rows
        inner join new_loads
            on raw_rows._load_id = new_loads._load_id

    ),

    near_new_keys as (

        -- Only rows inside the new keys' range can share a key with them (the range is
        -- a cheap filter; the match below is exact).
        select
            loads.load_number,
            {{ nba_props.natural_key_text(key_columns, 'raw_rows') }} as natural_key
        from {{ relation }} as raw_rows
        inner join loads
            on raw_rows._load_id = loads._load_id
        where {{ nba_props.key_range_filter(key_columns, 'new_key_columns', 'raw_rows') }}

    ),

    profiled_loads as (

        -- The new loads, and the older ones that share a key with them.
        select distinct load_number
        from near_new_keys
        where natural_key in (
            select {{ nba_props.natural_key_text(key_columns, 'new_key_columns') }}
            from new_key_columns
        )

    ),

    profiled_key_columns as (

        select distinct {{ nba_props.key_column_refs(key_columns, 'raw_rows') | join(', ') }}
        from {{ relation }} as raw_rows
        inner join loads
            on raw_rows._load_id = loads._load_id
        where loads.load_number in (select load_number from profiled_loads)

    ),
    {%- else %}

    profiled_loads as (

        select load_number from loads

    ),
    {%- endif %}

    raw_keys as (

        {%- if is_incremental() %}
        -- The rows that can share a key with a profiled load, by the same range filter.
        {%- endif %}
        select
            loads.load_number,
            {{ nba_props.natural_key_text(key_columns, 'raw_rows') }} as natural_key,
            case when {{ null_key }} then 1 else 0 end as is_null_key
        from {{ relation }} as raw_rows
        inner join loads
            on raw_rows._load_id = loads._load_id
        {%- if is_incremental() %}
        where {{ nba_props.key_range_filter(key_columns, 'profiled_key_columns', 'raw_rows') }}
        {%- endif %}

    ),
    {%- if is_incremental() %}

    scoped_keys as (

        select distinct natural_key
        from raw_keys
        where load_number in (select load_number from profiled_loads)

    ),

    scoped_rows as (

        select *
        from raw_keys
        where natural_key in (select natural_key from scoped_keys)

    ),
    {%- else %}

    scoped_rows as (

        select * from raw_keys

    ),
    {%- endif %}

    per_key as (

        -- A key's rows share their null status (required columns are key columns).
        select
            natural_key,
            min(load_number) as first_load_number,
            max(load_number) as last_load_number,
            count(*) as key_rows,
            max(is_null_key) as is_null_key
        from scoped_rows
        group by natural_key

    ),

    single_load_keys as (

        select
            first_load_number as load_number,
            sum(key_rows) as rows_in_load,
            count(*) as distinct_keys,
            sum(is_null_key * key_rows) as null_key_rows
        from per_key
        where first_load_number = last_load_number
        group by first_load_number

    ),

    multi_load_keys as (

        select
            natural_key,
            is_null_key
        from per_key
        where first_load_number != last_load_number

    ),

    multi_load_rows as (

        select
            raw_rows._load_id,
            raw_rows._loaded_at,
            multi_load_keys.natural_key,
            multi_load_keys.is_null_key,
            min(raw_rows._loaded_at) over (
                partition by multi_load_keys.natural_key, {{ nba_props.row_hash(relation, 'raw_rows') }}
            ) as first_load_of_row
        from {{ relation }} as raw_rows
        inner join multi_load_keys
            on {{ nba_props.natural_key_text(key_columns, 'raw_rows') }} = multi_load_keys.natural_key

    ),

    multi_load_key_rows as (

        select
            _load_id,
            natural_key,
            min(_loaded_at) as loaded_at,
            count(*) as key_rows,
            max(is_null_key) as is_null_key,
            sum(case when first_load_of_row < _loaded_at then 1 else 0 end) as rows_redelivered
        from multi_load_rows
        group by _load_id, natural_key

    ),

    multi_load_keys_by_load as (

        select
            loads.load_number,
            sum(with_newest_load.key_rows) as rows_in_load,
            count(*) as distinct_keys,
            sum(with_newest_load.is_null_key * with_newest_load.key_rows) as null_key_rows,
            sum(with_newest_load.key_rows) as rows_in_other_loads,
            sum(
                case
                    when with_newest_load.newest_load_of_key > with_newest_load.loaded_at
                        then with_newest_load.key_rows
                    else 0
                end
            ) as rows_superseded,
            sum(with_newest_load.rows_redelivered) as rows_redelivered
        from (
            select
                *,
                max(loaded_at) over (partition by natural_key) as newest_load_of_key
            from multi_load_key_rows
        ) as with_newest_load
        inner join loads
            on with_newest_load._load_id = loads._load_id
        group by loads.load_number

    ),

    per_load as (

        select
            load_number,
            sum(rows_in_load) as rows_in_load,
            sum(distinct_keys) as distinct_keys,
            sum(null_key_rows) as null_key_rows,
            sum(rows_in_other_loads) as rows_in_other_loads,
            sum(rows_redelivered) as rows_redelivered,
            sum(rows_superseded) as rows_superseded
        from (
            select
                load_number,
                rows_in_load,
                distinct_keys,
                null_key_rows,
                0 as rows_in_other_loads,
                0 as rows_redelivered,
                0 as rows_superseded
            from single_load_keys
            union all
            select
                load_number,
                rows_in_load,
                distinct_keys,
                null_key_rows,
                rows_in_other_loads,
                rows_redelivered,
                rows_superseded
            from multi_load_keys_by_load
        ) as by_kind
        group by load_number

    )

    select
        '{{ relation.identifier }}' as raw_table,
        loads._load_id as load_id,
        loads.source_file,
        loads.loaded_at,
        cast(per_load.rows_in_load as {{ dbt.type_bigint() }}) as rows_in_load,
        cast(per_load.distinct_keys as {{ dbt.type_bigint() }}) as distinct_keys,
        cast(per_load.rows_in_load - per_load.distinct_keys as {{ dbt.type_bigint() }}) as duplicate_key_rows,
        cast(per_load.null_key_rows as {{ dbt.type_bigint() }}) as null_key_rows,
        cast(per_load.rows_in_other_loads as {{ dbt.type_bigint() }}) as rows_in_other_loads,
        cast(per_load.rows_redelivered as {{ dbt.type_bigint() }}) as rows_redelivered,
        cast(per_load.rows_superseded as {{ dbt.type_bigint() }}) as rows_superseded
    from loads
    inner join per_load
        on loads.load_number = per_load.load_number
    where loads.load_number in (select load_number from profiled_loads)
{%- endmacro %}

{#
    The natural key as one value that windows and joins can work on, with null parts
    comparing equal:
    - BigQuery: the key as a JSON string (to_json_string of a struct): BigQuery cannot
      partition by a FLOAT64 such as a prop's line, and JSON keeps every part apart (a
      null is `null`, a string is quoted and escaped), so no two keys share a text.
    - DuckDB: a struct of the key columns (nested nulls compare equal); building the
      string costs twice as much on millions of rows.
    - other engines: the parts cast to text and joined by '|', '~' for a null. A value
      holding '|' or equal to '~' could then meet another key's text.
#}
{% macro natural_key_text(key_columns, alias=none) -%}
    {{ return(adapter.dispatch('natural_key_text', 'nba_props')(key_columns, alias)) }}
{%- endmacro %}

{% macro default__natural_key_text(key_columns, alias=none) -%}
    {%- set parts = [] -%}
    {%- for name in nba_props.key_column_refs(key_columns, alias) -%}
        {%- if parts %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(cast(" ~ name ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {{ return(dbt.concat(parts)) }}
{%- endmacro %}

{% macro bigquery__natural_key_text(key_columns, alias=none) -%}
    {{ return('to_json_string(struct(' ~ nba_props.key_column_refs(key_columns, alias) | join(', ') ~ '))') }}
{%- endmacro %}

{% macro duckdb__natural_key_text(key_columns, alias=none) -%}
    {{ return('row(' ~ nba_props.key_column_refs(key_columns, alias) | join(', ') ~ ')') }}
{%- endmacro %}

{#
    `(<alias>.c is null or <alias>.c between <min c> and <max c> of keys_relation) and ...`:
    a row outside that box cannot equal any key of keys_relation (a null part only equals
    a null part), so the filter keeps every row that can match and skips most that cannot.
#}
{% macro key_range_filter(key_columns, keys_relation, alias) -%}
    {%- for column in key_columns -%}
        {%- set name = adapter.quote(column) -%}
        {%- set ref = alias ~ '.' ~ name -%}
        {% if not loop.first %} and {% endif %}({{ ref }} is null or {{ ref }} between (select min({{ name }}) from {{ keys_relation }}) and (select max({{ name }}) from {{ keys_relation }}))
    {%- endfor -%}
{%- endmacro %}

{# The key columns quoted, each prefixed with `alias.` when one is given. #}
{% macro key_column_refs(key_columns, alias=none) -%}
    {%- set refs = [] -%}
    {%- for column in key_columns -%}
        {%- do refs.append((alias ~ '.' if alias else '') ~ adapter.quote(column)) -%}
    {%- endfor -%}
    {{ return(refs) }}
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
