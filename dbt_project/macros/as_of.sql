{#
  Join condition: the version of `alias` that was current on night `night_col`
  (known from the deliveries up to that night, and not replaced by then).
#}
{% macro valid_on(alias, night_col) -%}
    {{ alias }}.valid_from <= {{ night_col }}
    and ({{ alias }}.valid_to is null or {{ alias }}.valid_to > {{ night_col }})
{%- endmacro %}

{# Evidence dated within the `days` before night `night_col` (inclusive of the night). #}
{% macro within_days(date_expr, night_col, days) -%}
    {{ date_expr }} <= {{ night_col }}
    and {{ date_expr }} > {{ dbt.dateadd('day', -1 * days, night_col) }}
{%- endmacro %}
