{# A versioned staging model has at most one version per key and night it became known. #}
{% test unique_versions(model, column_name) %}
select {{ column_name }}, valid_from, count(*) as versions
from {{ model }}
group by {{ column_name }}, valid_from
having count(*) > 1
{% endtest %}
