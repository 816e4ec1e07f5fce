with renamed as (
    select
        Id as task_id,
        AccountId as account_id,
        WhoId as contact_id,
        OwnerId as owner_id,
        Subject as subject,
        Type as task_type,
        Status as task_status,
        ActivityDate as due_date,
        CompletedDateTime as completed_at,
        CreatedDate as created_at,
        LastModifiedDate as modified_at,
        coalesce(IsDeleted, false) as is_deleted,
        {{ lineage_columns() }}
    from {{ source('crm', 'tasks') }}
),

{{ versioned('renamed', key='task_id', stamp='modified_at') }}
