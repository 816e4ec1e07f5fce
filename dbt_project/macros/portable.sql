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

{# The run's night window (macros/night_window.sql), an open end meaning every night. #}
{% macro in_night_window(col) -%}
    {%- set window = night_window() -%}
    {%- set lo = window['from'] -%}
    {%- set hi = window['to'] -%}
    (1 = 1
    {%- if lo %} and {{ col }} >= cast('{{ lo }}' as date){% endif %}
    {%- if hi %} and {{ col }} <= cast('{{ hi }}' as date){% endif %})
{%- endmacro %}

{#
  Casts on Spark: `varchar` without a length (and `text`) are DuckDB's names for a string,
  and Spark refuses them ("DataType varchar requires a length parameter"). Contracts declare
  `data_type: varchar`, and dbt checks a contract on Spark by casting nulls to each declared
  type: this maps them to `string` there, so the same contracts hold on both engines.
#}
{% macro spark__cast(field, type) -%}
    {%- set name = type | string | trim | lower -%}
    {%- if name in ('varchar', 'text') -%}
        cast({{ field }} as string)
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
