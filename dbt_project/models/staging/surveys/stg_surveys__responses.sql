-- Survey responses. A response never changes once recorded; partial ones and test responses
-- (previews, spam) stay, flagged.
with renamed as (
    select
        ResponseId as response_id,
        StartDate as started_at,
        EndDate as ended_at,
        RecordedDate as recorded_at,
        cast(RecordedDate as date) as recorded_date,
        Status as response_type,
        coalesce(
            lower(trim(Status)) in ({{ quoted_list(var('survey_test_response_types') | map('lower') | list) }}),
            false
        ) as is_test_response,
        Progress as progress,
        Duration_in_seconds as duration_seconds,
        coalesce(Finished, false) as is_finished,
        RecipientEmail as recipient_email,
        lower(trim(RecipientEmail)) as email_normalized,
        nullif(trim(ExternalReference), '') as contact_id,
        nullif(trim(account_id), '') as account_id,
        DistributionChannel as distribution_channel,
        UserLanguage as user_language,
        Q_NPS as nps,
        Q_CSAT as csat,
        Q_ALTERNATIVES as alternatives_answer,
        (Q_ALTERNATIVES = 1) as evaluated_alternatives,
        Q_COMMENT as comment,
        false as is_deleted,
        {{ lineage_columns() }}
    from {{ source('surveys', 'responses') }}
),

{{ versioned('renamed', key='response_id', stamp='recorded_at') }}
