{# Shims for SQL that differs between DuckDB and Spark (README.md, "Portable SQL"). #}

{#
  Joins `measure` strings with `delimiter`, ordered by `order_expr` ascending.
  dbt.listagg drops the ORDER BY on Spark, hence this dispatch.
#}
{% macro ordered_string_agg(measure, order_expr, delimiter) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'rapport')(measure, order_expr, delimiter)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(measure, order_expr, delimiter) -%}
    string_agg({{ measure }}, '{{ delimiter }}' order by {{ order_expr }})
{%- endmacro %}

{% macro spark__ordered_string_agg(measure, order_expr, delimiter) -%}
    concat_ws('{{ delimiter }}', transform(
        array_sort(collect_list(struct({{ order_expr }} as k, {{ measure }} as v))),
        x -> x.v))
{%- endmacro %}

{# The night window: [night_from, night_to] vars, null meaning open. #}
{% macro in_night_window(col) -%}
    {%- set lo = var('night_from') -%}
    {%- set hi = var('night_to') -%}
    (1 = 1
    {%- if lo %} and {{ col }} >= cast('{{ lo }}' as date){% endif %}
    {%- if hi %} and {{ col }} <= cast('{{ hi }}' as date){% endif %})
{%- endmacro %}
