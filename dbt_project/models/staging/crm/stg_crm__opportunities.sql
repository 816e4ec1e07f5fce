with renamed as (
    select
        Id as opportunity_id,
        AccountId as account_id,
        OwnerId as owner_id,
        Name as opportunity_name,
        Type as opportunity_type,
        StageName as stage_name,
        Amount as amount,
        Probability as probability,
        CloseDate as close_date,
        coalesce(IsClosed, false) as is_closed,
        coalesce(IsWon, false) as is_won,
        (coalesce(IsClosed, false) and not coalesce(IsWon, false)) as is_lost,
        Loss_Reason__c as loss_reason,
        CreatedDate as created_at,
        LastModifiedDate as modified_at,
        coalesce(IsDeleted, false) as is_deleted,
        {{ lineage_columns() }}
    from {{ source('crm', 'opportunities') }}
),

{{ versioned('renamed', key='opportunity_id', stamp='modified_at') }}
