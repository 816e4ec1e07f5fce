{# The raw zone's lineage columns under their staging names: which delivery, file and line. #}
{% macro lineage_columns() -%}
        _extract_date as extract_date,
        _file as source_file,
        _line as source_line
{%- endmacro %}
