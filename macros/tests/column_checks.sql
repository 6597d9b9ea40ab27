{#
    A model's row-level column rules in one test and one scan of the model, instead of one
    test (one query, one dbt node) per column and rule:

      not_null:        [column, ...]                     the column is never null
      accepted_values: {column: [value, ...], ...}       nulls pass, as in dbt's own test;
                                                         strings are quoted, numbers not
      between:         {column: {min_value: x, max_value: y}, ...}
                                                         either bound may be left out;
                                                         nulls pass, as in value_between

    Fails with one row per broken rule: the column, the rule and the number of rows that
    break it. fail_calc sums those, so dbt reports the number of bad rows ("Got 3 results"),
    and `--store-failures` keeps which rule of which column they broke. The model is read
    through get_where_subquery like any generic test (a daily run's window, a `where`).

    Rules that need their own severity or `where` stay separate tests (value_between,
    accepted_values, not_null).
#}
{% test column_checks(model, not_null=[], accepted_values={}, between={}) %}
    {{ config(fail_calc='coalesce(sum(failing_rows), 0)') }}
    {%- set rules = [] -%}
    {%- for column in not_null -%}
        {%- do rules.append((column, 'not_null', column ~ ' is null')) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set listed = [] -%}
        {%- for value in values -%}
            {%- do listed.append("'" ~ (value | string | replace("'", "''")) ~ "'" if value is string else value) -%}
        {%- endfor -%}
        {%- do rules.append((column, 'accepted_values', column ~ ' not in (' ~ listed | join(', ') ~ ')')) -%}
    {%- endfor -%}
    {%- for column, bounds in between.items() -%}
        {%- if bounds.get('min_value') is none and bounds.get('max_value') is none -%}
            {{ exceptions.raise_compiler_error("column_checks: between." ~ column ~ " names neither min_value nor max_value") }}
        {%- endif -%}
        {%- set outside = nba_props.outside_range(column, bounds.get('min_value'), bounds.get('max_value')) -%}
        {%- do rules.append((column, 'between', outside)) -%}
    {%- endfor -%}
    {%- if not rules -%}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": no rules given") }}
    {%- endif %}
    with counted as (
        select
        {%- for rule in rules %}
            sum(case when {{ rule[2] }} then 1 else 0 end) as rule_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ model }}
    )
    {%- for rule in rules %}

    select
        '{{ rule[0] }}' as column_name,
        '{{ rule[1] }}' as rule_name,
        rule_{{ loop.index }} as failing_rows
    from counted
    where rule_{{ loop.index }} > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endtest %}
