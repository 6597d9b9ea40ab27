{#
    Per load (file) of one raw table: how its rows relate to the table's natural key.
    Staging keeps one row per key (the newest load), so duplicates and null keys would
    otherwise disappear without a trace; this makes them countable and testable.

    relation: source('...', '<raw table>'); key_columns: the natural key that staging
    deduplicates on; required_columns: the key columns that may never be null (default: all;
    optional parts such as snapshot_time are null in closing-line exports). Rows are compared on a hash of every data column (the loader's
    _-prefixed columns excluded), so an identical re-delivery is told apart from a correction.
#}
{% macro raw_key_profile(relation, key_columns, required_columns=none) -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- set null_key -%}
        {%- for column in required_columns or key_columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor -%}
    {%- endset -%}
    with

    rows_hashed as (

        select
            _load_id,
            _source_file,
            _loaded_at,
            {{ keys }},
            {{ nba_props.row_hash(relation) }} as row_hash
        from {{ relation }}

    ),

    per_key_and_load as (

        select
            _load_id,
            {{ keys }},
            min(_source_file) as source_file,
            min(_loaded_at) as loaded_at,
            count(*) as key_rows,
            min(row_hash) as row_hash,
            max(case when {{ null_key }} then 1 else 0 end) as has_null_key
        from rows_hashed
        group by _load_id, {{ keys }}

    ),

    with_other_loads as (

        select
            *,
            count(*) over (partition by {{ keys }}) as loads_with_key,
            max(loaded_at) over (partition by {{ keys }}) as newest_load_of_key,
            min(loaded_at) over (partition by {{ keys }}, row_hash) as first_load_of_row
        from per_key_and_load

    )

    select
        '{{ relation.identifier }}' as raw_table,
        _load_id as load_id,
        min(source_file) as source_file,
        min(loaded_at) as loaded_at,
        cast(sum(key_rows) as {{ dbt.type_bigint() }}) as rows_in_load,
        cast(count(*) as {{ dbt.type_bigint() }}) as distinct_keys,
        cast(sum(key_rows) - count(*) as {{ dbt.type_bigint() }}) as duplicate_key_rows,
        cast(sum(case when has_null_key = 1 then key_rows else 0 end) as {{ dbt.type_bigint() }})
            as null_key_rows,
        cast(sum(case when loads_with_key > 1 then key_rows else 0 end) as {{ dbt.type_bigint() }})
            as rows_in_other_loads,
        cast(sum(case when first_load_of_row < loaded_at then key_rows else 0 end) as {{ dbt.type_bigint() }})
            as rows_redelivered,
        cast(sum(case when newest_load_of_key > loaded_at then key_rows else 0 end) as {{ dbt.type_bigint() }})
            as rows_superseded
    from with_other_loads
    group by _load_id
{%- endmacro %}

{#
    A hash of every data column of a raw relation (the loader's _-prefixed columns left out).
    Columns are read from the warehouse at run time; at parse time (or before the loader
    has created the table) a constant stands in.
#}
{% macro row_hash(relation) -%}
    {%- if not execute -%}
        {{ return("''") }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) if not column.name.startswith('_') -%}
        {%- if parts %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(cast(" ~ adapter.quote(column.name) ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {%- if not parts -%}
        {{ return("''") }}
    {%- endif -%}
    {{ return(dbt.hash(dbt.concat(parts))) }}
{%- endmacro %}
