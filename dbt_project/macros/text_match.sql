{# True when lower(text) contains any of the keywords (portable: plain LIKE, no regex). #}
{% macro mentions_any(text_expr, keywords) -%}
    ({% for kw in keywords -%}
        lower(coalesce({{ text_expr }}, '')) like '%{{ kw | lower | replace("'", "''") }}%'
        {%- if not loop.last %} or {% endif %}
    {%- endfor %})
{%- endmacro %}
