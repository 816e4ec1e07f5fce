{# Custom schemas are used as given (`marts`, not `main_marts`), so BI tools see plain names. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
