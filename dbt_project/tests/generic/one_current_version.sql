{# At most one current version per key. #}
{% test one_current_version(model, column_name) %}
select {{ column_name }}, count(*) as current_versions
from {{ model }}
where is_current
group by {{ column_name }}
having count(*) > 1
{% endtest %}
