{# Fails when more than max_share of the rows are `unresolved` (they are kept, but counted). #}
{% test unresolved_share_below(model, column_name, max_share) %}
select count_if({{ column_name }} = 'unresolved') as unresolved, count(*) as total
from {{ model }}
having count_if({{ column_name }} = 'unresolved') > {{ max_share }} * count(*)
{% endtest %}
