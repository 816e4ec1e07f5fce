with renamed as (
    select
        id as ticket_metric_id,
        ticket_id,
        created_at,
        updated_at as modified_at,
        reopens,
        replies,
        reply_time_in_minutes_calendar as first_reply_minutes,
        reply_time_in_minutes_business as first_reply_business_minutes,
        full_resolution_time_in_minutes_calendar as resolution_minutes,
        full_resolution_time_in_minutes_business as resolution_business_minutes,
        solved_at,
        false as is_deleted,
        {{ lineage_columns() }}
    from {{ source('support', 'ticket_metrics') }}
),

{{ versioned('renamed', key='ticket_metric_id', stamp='modified_at') }}
