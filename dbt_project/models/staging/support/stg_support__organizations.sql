with renamed as (
    select
        id as organization_id,
        name as organization_name,
        external_id as account_id,
        created_at,
        updated_at as modified_at,
        deleted_at,
        (deleted_at is not null) as is_deleted,
        {{ lineage_columns() }}
    from {{ source('support', 'organizations') }}
),

{{ versioned('renamed', key='organization_id', stamp='modified_at') }}
