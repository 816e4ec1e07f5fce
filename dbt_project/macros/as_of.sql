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

{#
  A signal's strength from a count: `n / full`, at most 1 (`full` = the count at which the
  signal is as strong as it gets, `signal_full_strength` in dbt_project.yml).
#}
{% macro saturate(n_expr, full) -%}
    least(1.0, 1.0 * ({{ n_expr }}) / {{ full }})
{%- endmacro %}

{#
  Recency: 1 for evidence dated on the night, falling linearly to `recency_floor` for
  evidence as old as the signal's lookback.
#}
{% macro fade(evidence_date, night_col, lookback) -%}
    (1.0 - {{ 1 - var('recency_floor') }} * least(1.0, greatest(0.0,
        1.0 * {{ dbt.datediff(evidence_date, night_col, 'day') }} / {{ lookback }})))
{%- endmacro %}

{# 'a', 'b', 'c' from a list var, quotes escaped. #}
{% macro quoted_list(values) -%}
    {%- for v in values %}'{{ v | replace("'", "''") }}'{{ ',' if not loop.last }}{% endfor -%}
{%- endmacro %}
