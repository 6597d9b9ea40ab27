{#
    Version of the ml_feature_store_v2 feature vector. Bump the minor version when a
    feature is added, the major version when one changes meaning or is removed; the
    feature list is documented in models/features/precompute/_precompute__models.yml.
#}
{% macro feature_version() -%}
    {{ return('2.0.0') }}
{%- endmacro %}
