-- On the latest night, how the survey responses and tickets known then were tied to a CRM
-- account, and how many speak for none: the answers and complaints that could not be scored.
{% set examples = var('attribution_example_ids') %}

with night as (
    select max(as_of_date) as as_of_date from {{ ref('account_loyalty_risk') }}
),

accounts as (
    select accounts.account_id
    from {{ ref('stg_crm__accounts') }} as accounts
    cross join night
    where not accounts.is_deleted
        and {{ valid_on('accounts', 'night.as_of_date') }}
),

attributed as (
    {%- for record_type, model, key in [
        ('survey_response', 'int_responses_attributed', 'response_id'),
        ('ticket', 'int_tickets_attributed', 'ticket_id'),
    ] %}
    select
        '{{ record_type }}' as record_type,
        cast(versions.{{ key }} as {{ dbt.type_string() }}) as record_id,
        versions.attributed_by,
        versions.account_id
    from {{ ref(model) }} as versions
    cross join night
    where not versions.is_deleted
        and {{ valid_on('versions', 'night.as_of_date') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

test_responses as (
    -- previews, test responses and spam: read, but not answers (int_responses_attributed drops them)
    select
        'survey_response' as record_type,
        responses.response_id as record_id,
        'test_response' as attributed_by,
        cast(null as {{ dbt.type_string() }}) as account_id
    from {{ ref('stg_surveys__responses') }} as responses
    cross join night
    where responses.is_test_response
        and not responses.is_deleted
        and {{ valid_on('responses', 'night.as_of_date') }}
),

records as (
    select * from attributed
    union all
    select * from test_responses
),

classified as (
    select
        records.record_type,
        records.record_id,
        records.attributed_by,
        case
            when records.attributed_by = 'test_response' then 'not_an_answer'
            when records.account_id is null then 'unresolved'
            when accounts.account_id is null then 'unknown_account'
            else 'account'
        end as outcome
    from records
    left join accounts
        on accounts.account_id = records.account_id
),

ranked as (
    select
        classified.*,
        row_number() over (
            partition by record_type, attributed_by, outcome order by record_id
        ) as example_rank
    from classified
),

counted as (
    select
        record_type,
        attributed_by,
        outcome,
        cast(count(*) as {{ dbt.type_bigint() }}) as records,
        {{ ordered_string_agg(
            'case when example_rank <= ' ~ examples ~ ' then record_id end', 'record_id', ', '
        ) }} as example_record_ids
    from ranked
    group by record_type, attributed_by, outcome
),

final as (
    select
        night.as_of_date,
        counted.record_type,
        counted.attributed_by,
        counted.outcome,
        counted.records,
        cast(round(
            1.0 * counted.records / sum(counted.records) over (partition by counted.record_type), 4
        ) as double) as share_of_records,
        counted.example_record_ids
    from counted
    cross join night
)

select * from final
