{#
    BigQuery labels for cost attribution. Table labels (this macro, through fact_config and
    mv_config) say which app, layer and model a table belongs to; billing exports and
    INFORMATION_SCHEMA.TABLE_OPTIONS group storage by them. Job labels (what a query cost)
    come from dbt's query comment: see bq_query_comment below and docs/bigquery.md.

    Label keys and values: lower case letters, digits, '_' and '-', at most 63 characters.
#}
{% macro bq_labels(layer, extra=none) -%}
    {%- set result = {'app': 'nba_props', 'layer': layer} -%}
    {%- if this is defined and this is not none and this.identifier -%}
        {%- do result.update({'model': this.identifier}) -%}
    {%- endif -%}
    {%- do result.update(extra or {}) -%}
    {%- set clean = {} -%}
    {%- for key, value in result.items() -%}
        {%- do clean.update({nba_props.bq_label_value(key): nba_props.bq_label_value(value)}) -%}
    {%- endfor -%}
    {{ return(clean) }}
{%- endmacro %}

{% macro bq_label_value(value) -%}
    {%- set text = modules.re.sub('[^a-z0-9_-]+', '_', (value | string | lower)) | trim('_') -%}
    {{ return((text or 'none')[:63]) }}
{%- endmacro %}

{#
    Query comment whose keys become BigQuery JOB labels when dbt_project.yml has

        query-comment:
          comment: "{{ nba_props.bq_query_comment(node) }}"
          job-label: true

    (dbt-bigquery turns a JSON query comment into job labels). On DuckDB it is a plain comment.
    run_id (NBA_PROPS_RUN_ID, the pipeline run) is the label the loader's jobs carry too, so
    the cost marts (nba_monitoring.pipeline_job_costs) tie a run's queries and loads together.
#}
{% macro bq_query_comment(node) -%}
    {%- set comment = {
        'app': 'nba_props',
        'dbt_target': target.name,
        'dbt_invocation_id': invocation_id,
        'run_id': env_var('NBA_PROPS_RUN_ID', '') or none,
    } -%}
    {%- if node is not none -%}
        {%- do comment.update({
            'dbt_node': node.name,
            'dbt_resource': node.resource_type,
            'dbt_dataset': node.schema if node.schema is defined else none,
        }) -%}
    {%- endif -%}
    {%- set clean = {} -%}
    {%- for key, value in comment.items() if value is not none -%}
        {%- do clean.update({key: nba_props.bq_label_value(value)}) -%}
    {%- endfor -%}
    {{ return(tojson(clean)) }}
{%- endmacro %}
