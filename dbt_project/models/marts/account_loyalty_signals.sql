-- The why, one row per signal that fired (and is on) for an account on the latest night.
-- int_signals_detected holds only the nights of this run: when the run did not compute the
-- latest night (e.g. `rapport run --date <an earlier night>`), the latest night's rows are
-- kept from the table as it was, so the mart always describes the latest night.
-- depends_on: {{ ref('int_nights_scoped') }}
{% set previous = adapter.get_relation(this.database, this.schema, this.identifier) %}

with signals as (
    select * from {{ ref('int_signals_detected') }}
),

latest as (
    select max(as_of_date) as as_of_date from {{ ref('account_loyalty_risk') }}
),

computed as (
    select
        as_of_date,
        account_id,
        signal,
        category,
        points as weight,
        strength,
        evidence_date,
        cast(days_since_evidence as {{ dbt.type_bigint() }}) as days_since_evidence,
        detail,
        weights_version
    from signals
    where
        as_of_date in (select as_of_date from latest)
        and weight > 0
),

{% if previous is not none %}
scoped as (
    select as_of_date from {{ ref('int_nights_scoped') }}
),

kept as (
    select
        as_of_date,
        account_id,
        signal,
        category,
        weight,
        strength,
        evidence_date,
        days_since_evidence,
        detail,
        weights_version
    from {{ previous }}
    where
        as_of_date in (select as_of_date from latest)
        and as_of_date not in (select as_of_date from scoped)
),
{% endif %}

final as (
    select * from computed
    {% if previous is not none %}
        union all
        select * from kept
    {% endif %}
)

select * from final
