with renamed as (
    select
        Id as user_id,
        Name as user_name,
        Email as email,
        Title as title,
        coalesce(IsActive, true) as is_active,
        CreatedDate as created_at,
        LastModifiedDate as modified_at,
        false as is_deleted,
        {{ lineage_columns() }}
    from {{ source('crm', 'users') }}
),

{{ versioned('renamed', key='user_id', stamp='modified_at') }}
