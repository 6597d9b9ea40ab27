{# Fails with one row per duplicated combination of the given columns (a composite key). #}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns = combination_of_columns | join(', ') %}
    with keyed as (
        select
            {{ columns }},
            count(*) as n_rows
        from {{ model }}
        group by {{ columns }}
    )

    select *
    from keyed
    where n_rows > 1
{% endtest %}
