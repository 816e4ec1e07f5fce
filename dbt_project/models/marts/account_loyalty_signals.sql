-- The why, one row per signal that fired (and is on) for an account on the latest night: the
-- latest night's rows of account_signal_history, which keeps every night. A run that did not
-- compute the latest night (e.g. `rapport run --date <an earlier night>`) leaves them as they
-- were, so the mart always describes the latest night. (Reading the history rather than this
-- table's previous self keeps it portable: Spark drops a table before rebuilding it.)
with signal_history as (
    select * from {{ ref('account_signal_history') }}
),

latest as (
    select max(as_of_date) as as_of_date from {{ ref('account_loyalty_risk') }}
),

final as (
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
    from signal_history
    where
        as_of_date in (select as_of_date from latest)
        and points > 0
)

select * from final
