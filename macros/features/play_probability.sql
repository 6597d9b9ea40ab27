{#
    The probability a player plays, from his injury-report status (no report: 1.0). One
    mapping for the feature store and the injury-status versions the ML readers join.
#}
{% macro play_probability(status) -%}
    case coalesce({{ status }}, 'available')
        when 'out' then 0.0
        when 'doubtful' then 0.25
        when 'questionable' then 0.5
        when 'probable' then 0.9
        else 1.0
    end
{%- endmacro %}
