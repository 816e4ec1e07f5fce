-- Customer accounts as known on each night: the account version current then, its owner.
-- An account whose Renewal opportunity closed lost on or before the night (as known that
-- night) has defected (contract, "What counts as defection") even while its Type still says
-- Customer: it is not scored, and so never on the watchlist of accounts still to keep.
with nights as (
    select * from {{ ref('int_nights_scoped') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

owners as (
    select * from {{ ref('stg_crm__users') }}
),

lost_renewals as (
    select distinct nights.as_of_date, o.account_id
    from nights
    inner join {{ ref('stg_crm__opportunities') }} as o
        on {{ valid_on('o', 'nights.as_of_date') }}
    where o.opportunity_type = 'Renewal'
        and o.is_lost
        and not o.is_deleted
        and o.close_date <= nights.as_of_date
)

select
    nights.as_of_date,
    accounts.account_id,
    accounts.account_name,
    accounts.industry,
    accounts.billing_country,
    accounts.owner_id,
    owners.user_name as owner_name,
    coalesce(owners.is_active, true) as owner_is_active,
    accounts.arr,
    accounts.renewal_date,
    nights.crm_status,
    nights.support_status,
    nights.surveys_status
from nights
inner join accounts
    on {{ valid_on('accounts', 'nights.as_of_date') }}
left join owners
    on owners.user_id = accounts.owner_id
    and {{ valid_on('owners', 'nights.as_of_date') }}
left join lost_renewals
    on lost_renewals.account_id = accounts.account_id
    and lost_renewals.as_of_date = nights.as_of_date
where not accounts.is_deleted
    and accounts.account_type = 'Customer'
    and lost_renewals.account_id is null
