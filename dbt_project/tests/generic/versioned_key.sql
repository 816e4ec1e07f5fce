{#
  The key of a versioned staging model is sound: never null, one version per key and night
  it became known, at most one current version.
#}
{% test versioned_key(model, column_name) %}
with problems as (
    select {{ column_name }} as key_value, 'null key' as problem
    from {{ model }}
    where {{ column_name }} is null
    union all
    select {{ column_name }}, 'two versions on one night'
    from {{ model }}
    group by {{ column_name }}, valid_from
    having count(*) > 1
    union all
    select {{ column_name }}, 'two current versions'
    from {{ model }}
    where is_current
    group by {{ column_name }}
    having count(*) > 1
)
select * from problems
{% endtest %}
