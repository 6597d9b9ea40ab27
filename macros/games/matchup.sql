{#
    A team's tri-code from NBA.com's MATCHUP text: 'AAA @ HHH' (away at home) or
    'HHH vs. AAA' (home against away). side is 'home' or 'away'. Neutral-site games list
    '@' for both teams; the team after '@' is the nominal home team.
    Returns an expression (upper-case tri-code).
#}
{% macro matchup_tricode(matchup, side) -%}
    {%- if side == 'home' -%}
    case
        when {{ matchup }} like '% @ %' then upper(right(trim({{ matchup }}), 3))
        else upper(left(trim({{ matchup }}), 3))
    end
    {%- elif side == 'away' -%}
    case
        when {{ matchup }} like '% @ %' then upper(left(trim({{ matchup }}), 3))
        else upper(right(trim({{ matchup }}), 3))
    end
    {%- else -%}
    {{ exceptions.raise_compiler_error("matchup_tricode: side must be 'home' or 'away', got " ~ side) }}
    {%- endif -%}
{%- endmacro %}
