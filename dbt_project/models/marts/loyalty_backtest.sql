-- For every past night: did the accounts flagged that night defect within the horizon after
-- it? Precision, recall and lift of each risk tier and of the watchlist (`accessible`).
{% set horizon = var('backtest_horizon_days') %}

with history as (
    select as_of_date, account_id, risk_tier, quadrant
    from {{ ref('account_loyalty_history') }}
),

defections as (
    select account_id, defected_on from {{ ref('int_defections_derived') }}
),

known_through as (
    select max(extract_date) as last_night from {{ ref('stg_rapport__deliveries') }}
),

outcomes as (
    select
        history.*,
        coalesce(
            defections.defected_on > history.as_of_date
            and defections.defected_on <= {{ dbt.dateadd('day', horizon, 'history.as_of_date') }},
            false
        ) as defected_within_horizon
    from history
    left join defections on defections.account_id = history.account_id
),

cohorts as (
    select as_of_date, 'tier:' || risk_tier as cohort, account_id, defected_within_horizon from outcomes
    union all
    select as_of_date, 'watchlist' as cohort, account_id, defected_within_horizon from outcomes
    where quadrant = 'accessible'
),

nightly as (
    select
        as_of_date,
        count(*) as accounts,
        count_if(defected_within_horizon) as defected
    from outcomes
    group by as_of_date
),

scored as (
    select
        cohorts.as_of_date,
        cohorts.cohort,
        count(*) as flagged,
        count_if(cohorts.defected_within_horizon) as flagged_defected,
        max(nightly.accounts) as accounts,
        max(nightly.defected) as defected
    from cohorts
    inner join nightly on nightly.as_of_date = cohorts.as_of_date
    group by cohorts.as_of_date, cohorts.cohort
)

select
    scored.as_of_date,
    scored.cohort,
    cast(scored.flagged as {{ dbt.type_bigint() }}) as flagged,
    cast(scored.flagged_defected as {{ dbt.type_bigint() }}) as flagged_defected,
    cast(scored.defected as {{ dbt.type_bigint() }}) as defected,
    cast(scored.accounts as {{ dbt.type_bigint() }}) as accounts,
    round(1.0 * scored.flagged_defected / nullif(scored.flagged, 0), 4) as precision,
    round(1.0 * scored.flagged_defected / nullif(scored.defected, 0), 4) as recall,
    round(
        (1.0 * scored.flagged_defected / nullif(scored.flagged, 0))
        / nullif(1.0 * scored.defected / nullif(scored.accounts, 0), 0),
        2
    ) as lift,
    {{ dbt.dateadd('day', horizon, 'scored.as_of_date') }} <= known_through.last_night as horizon_complete
from scored
cross join known_through
