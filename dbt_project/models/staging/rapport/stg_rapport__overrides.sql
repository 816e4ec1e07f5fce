-- One row per account a person pinned (`rapport override add`), not removed: the pinned
-- quadrant and/or risk tier, why, who, and the nights it holds (effective_from..expires_on).
select
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(quadrant as {{ dbt.type_string() }}) as quadrant,
    cast(risk_tier as {{ dbt.type_string() }}) as risk_tier,
    cast(reason as {{ dbt.type_string() }}) as reason,
    cast(author as {{ dbt.type_string() }}) as author,
    cast(effective_from as date) as effective_from,
    cast(expires_on as date) as expires_on,
    cast(version as {{ dbt.type_bigint() }}) as version
from {{ source('rapport', 'overrides') }}
