-- The watchlist: satisfied by what they say, at risk by what they do (Walker's `accessible`,
-- computed, or pinned there by an override), largest ARR at risk first.
select
    cast(
        row_number() over (
            order by arr_at_risk desc nulls last, expected_arr_loss desc nulls last, account_id
        ) as {{ dbt.type_bigint() }}
    ) as watchlist_rank,
    as_of_date,
    account_id,
    account_name,
    owner_id,
    owner_name,
    arr,
    arr_at_risk,
    expected_arr_loss,
    renewal_date,
    days_to_renewal,
    satisfaction_score,
    latest_nps,
    loyalty_risk_score,
    risk_tier,
    quadrant,
    signals_fired,
    reasons,
    weights_version,
    quadrant_override,
    risk_tier_override,
    override_reason,
    override_author,
    override_expires_on
from {{ ref('account_loyalty_risk') }}
where coalesce(quadrant_override, quadrant) = 'accessible'
