-- How much behaviour Rapport saw per customer account and night: tasks, tickets,
-- opportunities touched and survey answers in `evidence_lookback_days`, and the contacts
-- known. Too little of both (`min_behaviour_events`, `min_behaviour_contacts`) makes the
-- risk side `insufficient_evidence` instead of `low` (account_loyalty_history).
{% set window = var('evidence_lookback_days') %}

with accounts as (
    select as_of_date, account_id from {{ ref('int_accounts_snapshotted') }}
),

events as (
    select accounts.as_of_date, accounts.account_id, 'task' as kind
    from accounts
    inner join {{ ref('stg_crm__tasks') }} as k
        on k.account_id = accounts.account_id
        and {{ valid_on('k', 'accounts.as_of_date') }}
    where not k.is_deleted
        and (
            {{ within_days('cast(k.completed_at as date)', 'accounts.as_of_date', window) }}
            or {{ within_days('k.due_date', 'accounts.as_of_date', window) }}
        )
    union all
    select accounts.as_of_date, accounts.account_id, 'ticket' as kind
    from accounts
    inner join {{ ref('int_tickets_attributed') }} as t
        on t.account_id = accounts.account_id
        and {{ valid_on('t', 'accounts.as_of_date') }}
    where not t.is_deleted
        and {{ within_days('cast(t.created_at as date)', 'accounts.as_of_date', window) }}
    union all
    select accounts.as_of_date, accounts.account_id, 'opportunity' as kind
    from accounts
    inner join {{ ref('stg_crm__opportunities') }} as o
        on o.account_id = accounts.account_id
        and {{ valid_on('o', 'accounts.as_of_date') }}
    where not o.is_deleted
        and {{ within_days('cast(o.modified_at as date)', 'accounts.as_of_date', window) }}
    union all
    select accounts.as_of_date, accounts.account_id, 'survey' as kind
    from accounts
    inner join {{ ref('int_responses_attributed') }} as r
        on r.account_id = accounts.account_id
        and {{ valid_on('r', 'accounts.as_of_date') }}
    where r.is_finished
        and {{ within_days('r.recorded_date', 'accounts.as_of_date', window) }}
),

event_counts as (
    select as_of_date, account_id, count(*) as behaviour_events
    from events
    group by as_of_date, account_id
),

contact_counts as (
    select accounts.as_of_date, accounts.account_id, count(distinct c.contact_id) as contacts
    from accounts
    inner join {{ ref('stg_crm__contacts') }} as c
        on c.account_id = accounts.account_id
        and {{ valid_on('c', 'accounts.as_of_date') }}
    where not c.is_deleted
    group by accounts.as_of_date, accounts.account_id
),

final as (
    select
        accounts.as_of_date,
        accounts.account_id,
        cast(coalesce(event_counts.behaviour_events, 0) as {{ dbt.type_bigint() }}) as behaviour_events,
        cast(coalesce(contact_counts.contacts, 0) as {{ dbt.type_bigint() }}) as contacts
    from accounts
    left join event_counts
        on event_counts.account_id = accounts.account_id
        and event_counts.as_of_date = accounts.as_of_date
    left join contact_counts
        on contact_counts.account_id = accounts.account_id
        and contact_counts.as_of_date = accounts.as_of_date
)

select
    *,
    (
        behaviour_events < {{ var('min_behaviour_events') }}
        and contacts < {{ var('min_behaviour_contacts') }}
    ) as too_little_behaviour
from final
