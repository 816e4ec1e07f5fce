-- The why, one row per signal that fired for an account on the latest night.
with signals as (
    select * from {{ ref('int_signals_detected') }}
)

select
    as_of_date,
    account_id,
    signal,
    category,
    weight,
    evidence_date,
    days_since_evidence,
    detail
from signals
where as_of_date = (select max(as_of_date) from {{ ref('account_loyalty_risk') }})
