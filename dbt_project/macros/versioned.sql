{#
  Turns every delivered row of a source object into its versions over time (SCD2), by
  delivery night:
  - inside one delivery, the row with the greatest stamp per key stands for it;
  - a delivery's row becomes the current version from its night (`valid_from`) when its stamp
    is at least the greatest stamp delivered before (ties: the later delivery wins), so a late
    record with an older stamp never overwrites a newer version;
  - it stays current until the next winning version's night (`valid_to`, exclusive).
  `is_current` marks the version current on the latest night, unless it is a deletion.
#}
{% macro versioned(relation, key, stamp) -%}
per_delivery as (
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {{ key }}, extract_date
        order by {{ stamp }} desc nulls last, source_file desc, source_line desc
    ) = 1
),

ranked as (
    select
        *,
        max({{ stamp }}) over (
            partition by {{ key }} order by extract_date
            rows between unbounded preceding and 1 preceding
        ) as _prior_max_stamp
    from per_delivery
),

winners as (
    select * except (_prior_max_stamp)
    from ranked
    where _prior_max_stamp is null or {{ stamp }} >= _prior_max_stamp
),

final as (
    select
        *,
        extract_date as valid_from,
        lead(extract_date) over (partition by {{ key }} order by extract_date) as valid_to
    from winners
)

select
    *,
    (valid_to is null and not is_deleted) as is_current
from final
{%- endmacro %}
