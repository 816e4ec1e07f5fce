-- The latest night of account_loyalty_history: one row per customer account.
with history as (
    select * from {{ ref('account_loyalty_history') }}
)

select *
from history
where as_of_date = (select max(as_of_date) from history)
