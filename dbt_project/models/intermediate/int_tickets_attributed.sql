-- Ticket versions with their CRM account: the ticket's organization, else its requester's
-- organization; the organization's external_id is the account. Organizations and users are
-- taken as known when the ticket version arrived. Unresolved tickets stay (account_id null).
{{ versions_config('ticket_id') }}
-- Incremental (DuckDB): a night recomputes only the versions of the records it changed;
-- an older version's attribution never changes, since it used what was known when it arrived.
{% set night_from = recompute_from() %}
with tickets as (
    select * from {{ ref('stg_support__tickets') }}
    {%- if night_from %}
    where ticket_id in ({{ keys_changed_since(ref('stg_support__tickets'), 'ticket_id', night_from) }})
    {%- endif %}
),

users as (
    select * from {{ ref('stg_support__users') }}
),

organizations as (
    select * from {{ ref('stg_support__organizations') }}
    where not is_deleted
)

select
    tickets.*,
    coalesce(tickets.organization_id, users.organization_id) as resolved_organization_id,
    organizations.account_id,
    case
        when organizations.account_id is null then 'unresolved'
        when tickets.organization_id is not null then 'ticket_organization'
        else 'requester_organization'
    end as attributed_by
from tickets
left join users
    on users.support_user_id = tickets.requester_id
    and {{ valid_on('users', 'tickets.valid_from') }}
left join organizations
    on organizations.organization_id = coalesce(tickets.organization_id, users.organization_id)
    and {{ valid_on('organizations', 'tickets.valid_from') }}
