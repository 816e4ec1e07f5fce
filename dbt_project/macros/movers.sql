{#
  The nights account_risk_movers (re)computes: the run's night window, extended by the
  longest baseline after its end, since a night compared with a recomputed night changes too.
#}
{% macro in_mover_window(col) -%}
    {%- set window = night_window() -%}
    {%- set lo = window['from'] -%}
    {%- set hi = window['to'] -%}
    {%- set reach = var('mover_baseline_days') | max -%}
    (1 = 1
    {%- if lo %} and {{ col }} >= cast('{{ lo }}' as date){% endif %}
    {%- if hi %} and {{ col }} <= {{ dbt.dateadd('day', reach, "cast('" ~ hi ~ "' as date)") }}{% endif %})
{%- endmacro %}
