-- For every past night: did the accounts flagged that night defect within the horizon after
-- it? Precision, recall and lift of each risk tier and of the watchlist (`accessible`), the
-- AUC of the night's risk score, the median days from an account's first flag to its
-- defection, and a satisfaction-only baseline: the same number of accounts, lowest
-- satisfaction first.
{% set horizon = var('backtest_horizon_days') %}

with history as (
    select as_of_date, account_id, risk_tier, quadrant, loyalty_risk_score, satisfaction_score, weights_version
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
        defections.defected_on,
        coalesce(
            defections.defected_on > history.as_of_date
            and defections.defected_on <= {{ dbt.dateadd('day', horizon, 'history.as_of_date') }},
            false
        ) as defected_within_horizon
    from history
    left join defections on defections.account_id = history.account_id
),

cohorts as (
    select as_of_date, 'tier:' || risk_tier as cohort, account_id, defected_on, defected_within_horizon from outcomes
    union all
    select as_of_date, 'watchlist' as cohort, account_id, defected_on, defected_within_horizon from outcomes
    where quadrant = 'accessible'
),

first_flags as (
    -- each flag with the first night (so far) the account was in the cohort
    select
        *,
        min(as_of_date) over (
            partition by cohort, account_id order by as_of_date
            rows between unbounded preceding and current row
        ) as first_flagged_on
    from cohorts
),

nightly as (
    select
        as_of_date,
        max(weights_version) as weights_version,
        count(*) as accounts,
        count_if(defected_within_horizon) as defected
    from outcomes
    group by as_of_date
),

score_ranks as (
    -- average ranks of the risk score per night (ties share), for the AUC
    select
        as_of_date,
        defected_within_horizon,
        rank() over (partition by as_of_date order by loyalty_risk_score)
            + (count(*) over (partition by as_of_date, loyalty_risk_score) - 1) / 2.0 as score_rank
    from outcomes
    where loyalty_risk_score is not null
),

auc as (
    -- Mann-Whitney: (rank sum of the defected - n1 (n1 + 1) / 2) / (n1 n0)
    select
        as_of_date,
        (sum(case when defected_within_horizon then score_rank else 0 end)
            - count_if(defected_within_horizon) * (count_if(defected_within_horizon) + 1) / 2.0)
        / nullif(1.0 * count_if(defected_within_horizon) * count_if(not defected_within_horizon), 0) as auc
    from score_ranks
    group by as_of_date
),

satisfaction_ranked as (
    -- the baseline's order: lowest satisfaction first (accounts without a score last)
    select
        as_of_date,
        defected_within_horizon,
        row_number() over (
            partition by as_of_date order by satisfaction_score asc nulls last, account_id
        ) as satisfaction_rank
    from outcomes
),

scored as (
    select
        first_flags.as_of_date,
        first_flags.cohort,
        count(*) as flagged,
        count_if(first_flags.defected_within_horizon) as flagged_defected,
        median(case when first_flags.defected_within_horizon
            then {{ dbt.datediff('first_flags.first_flagged_on', 'first_flags.defected_on', 'day') }} end) as median_days_warning
    from first_flags
    group by first_flags.as_of_date, first_flags.cohort
),

baseline as (
    select
        scored.as_of_date,
        scored.cohort,
        count_if(satisfaction_ranked.defected_within_horizon) as baseline_defected
    from scored
    inner join satisfaction_ranked
        on satisfaction_ranked.as_of_date = scored.as_of_date
        and satisfaction_ranked.satisfaction_rank <= scored.flagged
    group by scored.as_of_date, scored.cohort
),

final as (
    select
        scored.*,
        nightly.accounts,
        nightly.defected,
        nightly.weights_version,
        auc.auc,
        coalesce(baseline.baseline_defected, 0) as baseline_defected,
        1.0 * nightly.defected / nullif(nightly.accounts, 0) as base_rate
    from scored
    inner join nightly on nightly.as_of_date = scored.as_of_date
    left join auc on auc.as_of_date = scored.as_of_date
    left join baseline on baseline.as_of_date = scored.as_of_date and baseline.cohort = scored.cohort
)

select
    final.as_of_date,
    final.cohort,
    cast(final.flagged as {{ dbt.type_bigint() }}) as flagged,
    cast(final.flagged_defected as {{ dbt.type_bigint() }}) as flagged_defected,
    cast(final.defected as {{ dbt.type_bigint() }}) as defected,
    cast(final.accounts as {{ dbt.type_bigint() }}) as accounts,
    cast(round(1.0 * final.flagged_defected / nullif(final.flagged, 0), 4) as double) as precision,
    cast(round(1.0 * final.flagged_defected / nullif(final.defected, 0), 4) as double) as recall,
    cast(round((1.0 * final.flagged_defected / nullif(final.flagged, 0)) / nullif(final.base_rate, 0), 2) as double) as lift,
    cast(round(final.auc, 4) as double) as auc,
    cast(final.median_days_warning as double) as median_days_warning,
    cast(final.baseline_defected as {{ dbt.type_bigint() }}) as baseline_flagged_defected,
    cast(round((1.0 * final.baseline_defected / nullif(final.flagged, 0)) / nullif(final.base_rate, 0), 2) as double) as baseline_lift,
    {{ dbt.dateadd('day', horizon, 'final.as_of_date') }} <= known_through.last_night as horizon_complete,
    final.weights_version
from final
cross join known_through
