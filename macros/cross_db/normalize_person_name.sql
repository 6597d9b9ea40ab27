{#
    A comparison key for a person's name: lower case, accents stripped, punctuation
    removed, generational suffixes dropped ("Jabari Smith Jr." and "Jabari Smith Jr"
    both give "jabari smith"). keep_suffix=true keeps the suffix, to break ties.
#}
{% macro normalize_person_name(column, keep_suffix=false) -%}
    {{ return(adapter.dispatch('normalize_person_name', 'nba_props')(column, keep_suffix)) }}
{%- endmacro %}

{% macro _name_key_tail(expr, keep_suffix) -%}
    {%- set spaced -%}
        trim(regexp_replace(regexp_replace({{ expr }}, '[.''’`,]', '', 'g'), '[^a-z0-9]+', ' ', 'g'))
    {%- endset -%}
    {%- if keep_suffix -%}
        {{ spaced }}
    {%- else -%}
        regexp_replace({{ spaced }}, ' (jr|sr|ii|iii|iv|v)$', '', 'g')
    {%- endif -%}
{%- endmacro %}

{% macro default__normalize_person_name(column, keep_suffix) -%}
    {{ nba_props._name_key_tail('strip_accents(lower(' ~ column ~ '))', keep_suffix) }}
{%- endmacro %}

{% macro bigquery__normalize_person_name(column, keep_suffix) -%}
    {%- set unaccented = "regexp_replace(normalize(lower(" ~ column ~ "), nfd), r'\\pM', '')" -%}
    {%- set spaced = "trim(regexp_replace(regexp_replace(" ~ unaccented
        ~ ", r\"[.'’`,]\", ''), r'[^a-z0-9]+', ' '))" -%}
    {%- if keep_suffix -%}
        {{ spaced }}
    {%- else -%}
        regexp_replace({{ spaced }}, r' (jr|sr|ii|iii|iv|v)$', '')
    {%- endif -%}
{%- endmacro %}
