-- What deserves an alert: per night, an account that entered the watchlist (`accessible`,
-- computed or pinned) or whose loyalty-risk score rose by at least `alert_risk_rise_points`
-- since the night before. One row per account, event and night; the alerts ledger
-- (`marts.alerts`, kept beside the lake) records each the first time it is seen, so a replay
-- or a rerun never raises it twice.
{% set rise = var('alert_risk_rise_points') %}

with movers as (
    select * from {{ ref('account_risk_movers') }}
    where days_back = {{ var('mover_baseline_days')[0] }}
),

events as (
    select *, 'entered_accessible' as event
    from movers
    where on_watchlist and not was_on_watchlist and quadrant_before is not null
    union all
    select *, 'risk_rose' as event
    from movers
    where risk_change >= {{ rise }}
)

select
    account_id || '|' || event || '|' || cast(as_of_date as {{ dbt.type_string() }}) as alert_id,
    as_of_date,
    account_id,
    account_name,
    owner_id,
    owner_name,
    event,
    arr,
    risk_score_before,
    loyalty_risk_score,
    risk_change,
    quadrant_before,
    quadrant,
    quadrant_override,
    signals_appeared,
    reasons
from events
