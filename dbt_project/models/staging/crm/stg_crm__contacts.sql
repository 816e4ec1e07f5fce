with renamed as (
    select
        Id as contact_id,
        AccountId as account_id,
        FirstName as first_name,
        LastName as last_name,
        Email as email,
        lower(trim(Email)) as email_normalized,
        Title as title,
        Relationship_Role__c as relationship_role,
        EmailBouncedDate as email_bounced_at,
        CreatedDate as created_at,
        LastModifiedDate as modified_at,
        coalesce(IsDeleted, false) as is_deleted,
        {{ lineage_columns() }}
    from {{ source('crm', 'contacts') }}
),

{{ versioned('renamed', key='contact_id', stamp='modified_at') }}
