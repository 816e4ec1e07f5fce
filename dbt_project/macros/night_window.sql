{#
  The nights a run (re)computes, as {'from': 'YYYY-MM-DD' or none, 'to': ... or none}, none
  meaning open. `rapport run` passes its range as dbt's own run window flags,
  `--event-time-start <first night> --event-time-end <day after the last night>` (end
  exclusive): unlike `--vars`, they are not part of dbt's partial-parsing state, so every
  night reuses the parsed project (docs/decisions.md, "The night window as dbt's event-time
  flags"). A dbt command run by hand may pass `--vars '{night_from: ..., night_to: ...}'`
  instead; the vars win when set. Read only when executing, so the parsed project never
  depends on the window of the invocation that parsed it.
#}
{% macro night_window() -%}
    {%- set lo = var('night_from') -%}
    {%- set hi = var('night_to') -%}
    {%- if execute and lo is none and hi is none -%}
        {%- set start = invocation_args_dict.get('event_time_start') -%}
        {%- set end = invocation_args_dict.get('event_time_end') -%}
        {%- if start is not none -%}
            {%- set lo = (start | string)[:10] -%}
        {%- endif -%}
        {%- if end is not none -%}
            {%- set last = modules.datetime.date.fromisoformat((end | string)[:10])
                - modules.datetime.timedelta(days=1) -%}
            {%- set hi = last.isoformat() -%}
        {%- endif -%}
    {%- endif -%}
    {{ return({'from': lo, 'to': hi}) }}
{%- endmacro %}
