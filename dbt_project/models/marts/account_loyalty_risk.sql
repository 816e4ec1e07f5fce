-- The latest night of account_loyalty_history: one row per customer account.
with history as (
    select * from {{ ref('account_loyalty_history') }}
),

latest as (
    select max(as_of_date) as as_of_date from history
)

select history.*
from history
inner join latest on history.as_of_date = latest.as_of_date
