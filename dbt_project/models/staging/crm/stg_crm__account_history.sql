-- Field changes of accounts; rows never change once written (a replay may resend them).
with renamed as (
    select
        Id as history_id,
        AccountId as account_id,
        Field as field_name,
        OldValue as old_value,
        NewValue as new_value,
        CreatedDate as changed_at,
        false as is_deleted,
        {{ lineage_columns() }}
    from {{ source('crm', 'account_history') }}
),

{{ versioned('renamed', key='history_id', stamp='changed_at') }}
