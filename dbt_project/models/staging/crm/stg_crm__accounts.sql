with renamed as (
    select
        Id as account_id,
        Name as account_name,
        Type as account_type,
        Industry as industry,
        BillingCountry as billing_country,
        NumberOfEmployees as employees,
        AnnualRevenue as annual_revenue,
        OwnerId as owner_id,
        ARR__c as arr,
        Contract_End_Date__c as renewal_date,
        CreatedDate as created_at,
        LastModifiedDate as modified_at,
        coalesce(IsDeleted, false) as is_deleted,
        {{ lineage_columns() }}
    from {{ source('crm', 'accounts') }}
),

{{ versioned('renamed', key='account_id', stamp='modified_at') }}
