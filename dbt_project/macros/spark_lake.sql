{#
  On Spark every schema (staging, intermediate, marts, config) lives in the lake, at
  `<lake_root>/warehouse/<schema>.db`, whatever the cluster's default warehouse is: the
  publish step reads the marts' Parquet from there into the serving DuckDB file, and tools
  that read Parquet directly find them there (docs/architecture.md).
#}
{% macro spark__create_schema(relation) -%}
    {%- call statement('create_schema') -%}
        create schema if not exists {{ relation }}
        location '{{ var("lake_root") }}/warehouse/{{ relation.schema }}.db'
    {%- endcall -%}
{%- endmacro %}
