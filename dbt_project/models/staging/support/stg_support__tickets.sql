with renamed as (
    select
        id as ticket_id,
        created_at,
        updated_at as modified_at,
        type as ticket_type,
        subject,
        description,
        priority,
        status as ticket_status,
        requester_id,
        assignee_id,
        organization_id,
        tags,
        satisfaction_rating_score as rating_score,
        satisfaction_rating_comment as rating_comment,
        via_channel as channel,
        (status = 'deleted') as is_deleted,
        {{ lineage_columns() }}
    from {{ source('support', 'tickets') }}
),

{{ versioned('renamed', key='ticket_id', stamp='modified_at') }}
