-- Customer accounts as known on each night: the account version current then, its owner.
with nights as (
    select * from {{ ref('int_nights_scoped') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

owners as (
    select * from {{ ref('stg_crm__users') }}
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
where not accounts.is_deleted
    and accounts.account_type = 'Customer'
