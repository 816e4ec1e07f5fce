-- The why, one row per signal that fired (and is on) for an account on the latest night.
with signals as (
    select * from {{ ref('int_signals_detected') }}
)

select
    as_of_date,
    account_id,
    signal,
    category,
    points as weight,
    strength,
    evidence_date,
    days_since_evidence,
    detail,
    weights_version
from signals
where as_of_date = (select max(as_of_date) from {{ ref('account_loyalty_risk') }})
    and weight > 0
