-- Survey responses with the account and contact they speak for: the embedded account_id,
-- else the contact named by ExternalReference, else the contact with the same e-mail
-- (case- and whitespace-insensitive). Contacts are taken as known when the response arrived.
-- Test responses (previews, spam: var survey_test_response_types) speak for no account.
-- sqlfluff:exclude_rules:CP02,AL09,LT05,LT02,AM04,ST06,ST03,RF01
-- (.sqlfluff's exclusions, and ST03/RF01: sqlfluff cannot parse `responses.* except (...)`)
{{ versions_config('response_id') }}
-- Incremental (DuckDB): a night recomputes only the versions of the records it changed;
-- an older version's attribution never changes, since it used what was known when it arrived.
{% set night_from = recompute_from() %}
with responses as (
    select * from {{ ref('stg_surveys__responses') }}
    where not is_test_response
    {%- if night_from %}
        and response_id in ({{ keys_changed_since(ref('stg_surveys__responses'), 'response_id', night_from) }})
    {%- endif %}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    where not is_deleted
),

by_reference as (
    select
        responses.response_id,
        responses.valid_from,
        contacts.contact_id,
        contacts.account_id,
        contacts.relationship_role
    from responses
    inner join contacts
        on contacts.contact_id = responses.contact_id
        and {{ valid_on('contacts', 'responses.valid_from') }}
),

by_email as (
    select
        responses.response_id,
        responses.valid_from,
        contacts.contact_id,
        contacts.account_id,
        contacts.relationship_role
    from responses
    inner join contacts
        on contacts.email_normalized = responses.email_normalized
        and {{ valid_on('contacts', 'responses.valid_from') }}
    qualify row_number() over (
        partition by responses.response_id, responses.valid_from order by contacts.contact_id
    ) = 1
)

select
    responses.* except (account_id, contact_id),
    coalesce(responses.account_id, by_reference.account_id, by_email.account_id) as account_id,
    coalesce(by_reference.contact_id, by_email.contact_id) as contact_id,
    coalesce(by_reference.relationship_role, by_email.relationship_role) as respondent_role,
    case
        when responses.account_id is not null then 'embedded_account_id'
        when by_reference.contact_id is not null then 'external_reference'
        when by_email.contact_id is not null then 'email'
        else 'unresolved'
    end as attributed_by
from responses
left join by_reference
    on by_reference.response_id = responses.response_id
    and by_reference.valid_from = responses.valid_from
left join by_email
    on by_email.response_id = responses.response_id
    and by_email.valid_from = responses.valid_from
