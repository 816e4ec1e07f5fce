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
        _extract_date as extract_date,
        _file as source_file,
        _line as source_line
    from {{ source('crm', 'users') }}
),

{{ versioned('renamed', key='user_id', stamp='modified_at') }}
