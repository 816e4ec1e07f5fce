-- What each customer account says, per night: NPS, CSAT and ticket ratings known that night,
-- weighted by who said it, folded into a 0-100 satisfaction score. No recent evidence, or a
-- survey source too long silent, gives `insufficient_evidence`, never an average.
{% set lookback = var('satisfaction_lookback_days') %}
{% set cw = var('satisfaction_component_weights') %}

with accounts as (
    select * from {{ ref('int_accounts_snapshotted') }}
),

responses as (
    select
        accounts.as_of_date,
        accounts.account_id,
        r.recorded_at,
        r.recorded_date,
        r.nps,
        r.csat,
        case
            {%- for role, weight in var('respondent_role_weights').items() %}
            when r.respondent_role = '{{ role }}' then {{ weight }}
            {%- endfor %}
            else {{ var('respondent_default_weight') }}
        end as respondent_weight
    from accounts
    inner join {{ ref('int_responses_attributed') }} as r
        on r.account_id = accounts.account_id
        and {{ valid_on('r', 'accounts.as_of_date') }}
    where r.is_finished
        and {{ within_days('r.recorded_date', 'accounts.as_of_date', lookback) }}
),

survey_scores as (
    select
        as_of_date,
        account_id,
        count(*) as responses_recent,
        max(recorded_date) as last_response_date,
        max_by(nps, recorded_at) as latest_nps,
        100.0 * (count_if(nps >= 9) - count_if(nps <= 6)) / nullif(count(nps), 0) as nps,
        avg(csat) as csat_avg,
        sum(respondent_weight * nps * 10.0) / nullif(sum(case when nps is not null then respondent_weight end), 0)
            as nps_component,
        sum(respondent_weight * (csat - 1) * 25.0) / nullif(sum(case when csat is not null then respondent_weight end), 0)
            as csat_component,
        max(respondent_weight) as strongest_voice_weight
    from responses
    group by as_of_date, account_id
),

ratings as (
    select
        accounts.as_of_date,
        accounts.account_id,
        count_if(t.rating_score = 'good') as ratings_good,
        count_if(t.rating_score = 'bad') as ratings_bad
    from accounts
    inner join {{ ref('int_tickets_attributed') }} as t
        on t.account_id = accounts.account_id
        and {{ valid_on('t', 'accounts.as_of_date') }}
    where not t.is_deleted
        and t.rating_score in ('good', 'bad')
        and {{ within_days('cast(t.modified_at as date)', 'accounts.as_of_date', lookback) }}
    group by accounts.as_of_date, accounts.account_id
),

components as (
    select
        accounts.as_of_date,
        accounts.account_id,
        accounts.surveys_status,
        accounts.support_status,
        s.responses_recent,
        s.last_response_date,
        s.latest_nps,
        s.nps,
        s.csat_avg,
        s.nps_component,
        s.csat_component,
        s.strongest_voice_weight,
        coalesce(ratings.ratings_good, 0) as ratings_good,
        coalesce(ratings.ratings_bad, 0) as ratings_bad,
        case
            when coalesce(ratings.ratings_good, 0) + coalesce(ratings.ratings_bad, 0) >= {{ var('min_ticket_ratings') }}
                then 100.0 * ratings.ratings_good / (ratings.ratings_good + ratings.ratings_bad)
        end as ticket_rating_component
    from accounts
    left join survey_scores as s
        on s.account_id = accounts.account_id and s.as_of_date = accounts.as_of_date
    left join ratings
        on ratings.account_id = accounts.account_id and ratings.as_of_date = accounts.as_of_date
),

scored as (
    select
        *,
        (
            coalesce({{ cw['nps'] }} * nps_component, 0)
            + coalesce({{ cw['csat'] }} * csat_component, 0)
            + coalesce({{ cw['ticket_rating'] }} * ticket_rating_component, 0)
        ) / nullif(
            case when nps_component is not null then {{ cw['nps'] }} else 0 end
            + case when csat_component is not null then {{ cw['csat'] }} else 0 end
            + case when ticket_rating_component is not null then {{ cw['ticket_rating'] }} else 0 end,
            0
        ) as raw_satisfaction_score
    from components
)

select
    as_of_date,
    account_id,
    case
        when raw_satisfaction_score is null then 'insufficient_evidence'
        when surveys_status = 'insufficient_evidence' and ticket_rating_component is null then 'insufficient_evidence'
        else 'sufficient'
    end as satisfaction_evidence,
    case
        when surveys_status = 'insufficient_evidence' and ticket_rating_component is null then null
        else round(raw_satisfaction_score, 1)
    end as satisfaction_score,
    responses_recent,
    last_response_date,
    latest_nps,
    round(nps, 1) as nps,
    round(csat_avg, 2) as csat_avg,
    ratings_good,
    ratings_bad,
    strongest_voice_weight
from scored
