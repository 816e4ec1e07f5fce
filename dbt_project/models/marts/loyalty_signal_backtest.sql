-- Per signal: how often accounts showing it on a night defected within the horizon after it,
-- against accounts not showing it; overall and within the satisfied accounts. Pooled over the
-- nights whose horizon is complete (all nights while none is).
{% set horizon = var('backtest_horizon_days') %}

with history as (
    select as_of_date, account_id, satisfaction_score, weights_version
    from {{ ref('account_loyalty_history') }}
),

signals as (
    select as_of_date, account_id, signal from {{ ref('account_signal_history') }}
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
        (history.satisfaction_score >= {{ var('satisfied_threshold') }}) as is_satisfied,
        {{ dbt.dateadd('day', horizon, 'history.as_of_date') }} <= known_through.last_night as horizon_complete,
        coalesce(
            defections.defected_on > history.as_of_date
            and defections.defected_on <= {{ dbt.dateadd('day', horizon, 'history.as_of_date') }},
            false
        ) as defected_within_horizon
    from history
    cross join known_through
    left join defections on defections.account_id = history.account_id
),

any_complete as (
    select coalesce(bool_or(horizon_complete), false) as any_complete from outcomes
),

judged as (
    select outcomes.*
    from outcomes
    cross join any_complete
    where outcomes.horizon_complete or not any_complete.any_complete
),

latest_version as (
    -- the scorecard of the latest night
    select max(weights_version) as weights_version
    from history
    where as_of_date = (select max(h.as_of_date) from {{ ref('account_loyalty_history') }} as h)
),

names as (
    select distinct signal from {{ ref('int_weights_selected') }}
),

pairs as (
    select
        names.signal,
        judged.account_id,
        judged.is_satisfied,
        judged.defected_within_horizon,
        judged.horizon_complete,
        signals.signal is not null as shows
    from names
    cross join judged
    left join signals
        on signals.signal = names.signal
        and signals.account_id = judged.account_id
        and signals.as_of_date = judged.as_of_date
)

select
    pairs.signal,
    cast(count_if(shows) as {{ dbt.type_bigint() }}) as account_nights_with,
    cast(count(distinct case when shows then account_id end) as {{ dbt.type_bigint() }}) as accounts_with,
    cast(round(1.0 * count_if(shows and defected_within_horizon) / nullif(count_if(shows), 0), 4) as double) as defection_rate_with,
    cast(round(1.0 * count_if(not shows and defected_within_horizon) / nullif(count_if(not shows), 0), 4) as double) as defection_rate_without,
    cast(round(1.0 * count_if(shows and is_satisfied and defected_within_horizon) / nullif(count_if(shows and is_satisfied), 0), 4) as double)
        as satisfied_defection_rate_with,
    cast(round(1.0 * count_if(not shows and is_satisfied and defected_within_horizon) / nullif(count_if(not shows and is_satisfied), 0), 4) as double)
        as satisfied_defection_rate_without,
    coalesce(bool_and(pairs.horizon_complete), false) as horizon_complete,
    max(latest_version.weights_version) as weights_version
from pairs
cross join latest_version
group by pairs.signal
