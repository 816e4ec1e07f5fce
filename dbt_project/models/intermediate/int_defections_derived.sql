-- The outcome flags are judged against (contract, "What counts as defection"): an account
-- defects on the day its Type becomes `Former Customer`, or on the CloseDate of a Renewal
-- opportunity that closes lost, whichever is first. Uses everything delivered so far.
with type_changes as (
    select account_id, cast(changed_at as date) as defected_on, extract_date as known_since,
        'became_former_customer' as defection_reason
    from {{ ref('stg_crm__account_history') }}
    where field_name = 'Type' and new_value = 'Former Customer'
),

former_versions as (
    -- accounts that became Former Customer without a history row
    select account_id, cast(modified_at as date) as defected_on, extract_date as known_since,
        'became_former_customer' as defection_reason
    from {{ ref('stg_crm__accounts') }}
    where account_type = 'Former Customer' and not is_deleted
),

lost_renewals as (
    select account_id, close_date as defected_on, extract_date as known_since,
        'renewal_lost' as defection_reason
    from {{ ref('stg_crm__opportunities') }}
    where is_current and opportunity_type = 'Renewal' and is_lost and close_date is not null
),

events as (
    select * from type_changes
    union all
    select * from former_versions
    union all
    select * from lost_renewals
)

select account_id, defected_on, defection_reason, known_since
from events
where account_id is not null
qualify row_number() over (
    partition by account_id order by defected_on, known_since, defection_reason
) = 1
