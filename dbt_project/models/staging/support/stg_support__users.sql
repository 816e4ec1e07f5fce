with renamed as (
    select
        id as support_user_id,
        name as user_name,
        email,
        lower(trim(email)) as email_normalized,
        role as user_role,
        organization_id,
        created_at,
        updated_at as modified_at,
        false as is_deleted,
        {{ lineage_columns() }}
    from {{ source('support', 'users') }}
),

{{ versioned('renamed', key='support_user_id', stamp='modified_at') }}
