-- Per relationship owner, on the latest night: the book, its risk, and commitments kept.
{% set lookback = var('signal_lookback_days') %}

with accounts as (
    select * from {{ ref('account_loyalty_risk') }}
),

tasks as (
    select * from {{ ref('stg_crm__tasks') }}
),

night as (
    select max(as_of_date) as as_of_date from accounts
),

commitments as (
    -- follow-ups due in the lookback, as known on the night
    select
        tasks.owner_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as commitments_due,
        cast(count_if(cast(tasks.completed_at as date) <= tasks.due_date) as {{ dbt.type_bigint() }}) as commitments_kept
    from tasks
    cross join night
    where tasks.task_type = 'Follow-up'
        and not tasks.is_deleted
        and {{ valid_on('tasks', 'night.as_of_date') }}
        and {{ within_days('tasks.due_date', 'night.as_of_date', lookback) }}
        and tasks.due_date < night.as_of_date
    group by tasks.owner_id
),

book as (
    select
        owner_id,
        max(owner_name) as owner_name,
        max(as_of_date) as as_of_date,
        max(weights_version) as weights_version,
        count(*) as accounts,
        -- sums and averages in decimals: exact, so the result does not depend on the order the
        -- engine adds rows in (a float average of 85.95 rounds either way)
        sum(cast(arr as decimal(38, 6))) as arr,
        sum(cast(arr_at_risk as decimal(38, 6))) as arr_at_risk,
        sum(cast(expected_arr_loss as decimal(38, 6))) as expected_arr_loss,
        cast(count_if(risk_tier = 'high') as {{ dbt.type_bigint() }}) as high_risk_accounts,
        cast(count_if(quadrant = 'accessible') as {{ dbt.type_bigint() }}) as accessible_accounts,
        cast(count_if(quadrant = 'insufficient_evidence') as {{ dbt.type_bigint() }}) as insufficient_evidence_accounts,
        avg(cast(satisfaction_score as decimal(38, 6))) as avg_satisfaction_score,
        avg(cast(loyalty_risk_score as decimal(38, 6))) as avg_loyalty_risk_score
    from accounts
    group by owner_id
)

select
    book.as_of_date,
    book.owner_id,
    book.owner_name,
    book.accounts,
    cast(book.arr as double) as arr,
    cast(book.arr_at_risk as double) as arr_at_risk,
    cast(round(book.arr_at_risk / nullif(book.arr, 0), 4) as double) as share_arr_at_risk,
    cast(round(book.expected_arr_loss, 2) as double) as expected_arr_loss,
    book.high_risk_accounts,
    book.accessible_accounts,
    book.insufficient_evidence_accounts,
    cast(round(book.avg_satisfaction_score, 1) as double) as avg_satisfaction_score,
    cast(round(book.avg_loyalty_risk_score, 1) as double) as avg_loyalty_risk_score,
    coalesce(commitments.commitments_due, 0) as commitments_due,
    coalesce(commitments.commitments_kept, 0) as commitments_kept,
    cast(round(1.0 * commitments.commitments_kept / nullif(commitments.commitments_due, 0), 4) as double) as commitments_kept_ratio,
    book.weights_version
from book
left join commitments
    on commitments.owner_id = book.owner_id
