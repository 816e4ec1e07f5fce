with renamed as (
    select
        id as organization_id,
        name as organization_name,
        external_id as account_id,
        created_at,
        updated_at as modified_at,
        deleted_at,
        (deleted_at is not null) as is_deleted,
        _extract_date as extract_date,
        _file as source_file,
        _line as source_line
    from {{ source('support', 'organizations') }}
),

{{ versioned('renamed', key='organization_id', stamp='modified_at') }}
