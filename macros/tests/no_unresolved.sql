{#
    Reports every unresolved entity of one kind, with its occurrence count. Declared
    with severity warn: the rows stay reviewable in the model, the build goes on.
#}
{% test no_unresolved(model, kind) %}
    select *
    from {{ model }}
    where entity_kind = '{{ kind }}'
{% endtest %}
