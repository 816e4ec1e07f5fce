-- What customers and we do: one row per customer account, night and defection signal that
-- fired, with its strength (0..1: how many, how big, how recent; docs/scoring.md), the date
-- of its latest evidence and a readable detail. Only what was known on the night counts.
-- Windows and thresholds are vars (dbt_project.yml); weights come from int_weights_selected
-- (the seed, or the installation's tuned scorecard). A signal whose weight is 0 still has its
-- row (points 0): `rapport tune` learns from every signal, switched on or not.
{% set lookback = var('signal_lookback_days') %}
{% set shopping = var('shopping_lookback_days') %}
{% set commercial = var('commercial_lookback_days') %}
{% set recent = var('quiet_recent_days') %}
{% set baseline = var('quiet_baseline_days') %}
{% set widest = [lookback, shopping, commercial, recent + baseline, var('survey_silence_days') + 365] | max %}
{% set ticket_window = [shopping, var('complaint_recent_days') + var('complaint_baseline_days'), var('spike_recent_days') + var('spike_baseline_days')] | max %}
{% set full = var('signal_full_strength') %}
{% set lexicon = var('shopping_lexicon') %}

with accounts as (
    select as_of_date, account_id, owner_id, owner_is_active, renewal_date
    from {{ ref('int_accounts_snapshotted') }}
),

responses as (
    select
        accounts.as_of_date,
        accounts.account_id,
        r.recorded_date,
        r.evaluated_alternatives,
        r.comment,
        r.contact_id,
        r.is_finished
    from accounts
    inner join {{ ref('int_responses_attributed') }} as r
        on r.account_id = accounts.account_id
        and {{ valid_on('r', 'accounts.as_of_date') }}
    where {{ within_days('r.recorded_date', 'accounts.as_of_date', widest) }}
),

tickets as (
    select
        accounts.as_of_date,
        accounts.account_id,
        t.ticket_id,
        cast(t.created_at as date) as created_date,
        t.subject,
        t.description,
        t.priority,
        lower(t.ticket_type) as ticket_type,
        lower(t.rating_score) as rating_score,
        cast(t.modified_at as date) as modified_date,
        m.first_reply_minutes,
        m.reopens
    from accounts
    inner join {{ ref('int_tickets_attributed') }} as t
        on t.account_id = accounts.account_id
        and {{ valid_on('t', 'accounts.as_of_date') }}
    left join {{ ref('stg_support__ticket_metrics') }} as m
        on m.ticket_id = t.ticket_id
        and {{ valid_on('m', 'accounts.as_of_date') }}
    where not t.is_deleted
        and {{ within_days('cast(t.created_at as date)', 'accounts.as_of_date', ticket_window) }}
),

tasks as (
    select
        accounts.as_of_date,
        accounts.account_id,
        k.task_type,
        k.task_status,
        k.due_date,
        cast(k.completed_at as date) as completed_date,
        k.contact_id
    from accounts
    inner join {{ ref('stg_crm__tasks') }} as k
        on k.account_id = accounts.account_id
        and {{ valid_on('k', 'accounts.as_of_date') }}
    where not k.is_deleted
        and (
            {{ within_days('cast(k.completed_at as date)', 'accounts.as_of_date', widest) }}
            or {{ within_days('k.due_date', 'accounts.as_of_date', widest) }}
        )
),

contacts as (
    -- deleted versions included: a deletion is evidence that the person left
    select
        accounts.as_of_date,
        accounts.account_id,
        c.contact_id,
        c.relationship_role,
        c.is_deleted,
        c.valid_from,
        cast(c.email_bounced_at as date) as bounced_date
    from accounts
    inner join {{ ref('stg_crm__contacts') }} as c
        on c.account_id = accounts.account_id
        and {{ valid_on('c', 'accounts.as_of_date') }}
),

account_changes as (
    select
        accounts.as_of_date,
        accounts.account_id,
        h.field_name,
        cast(h.changed_at as date) as changed_date,
        try_cast(h.old_value as {{ dbt.type_float() }}) as old_number,
        try_cast(h.new_value as {{ dbt.type_float() }}) as new_number
    from accounts
    inner join {{ ref('stg_crm__account_history') }} as h
        on h.account_id = accounts.account_id
        and {{ valid_on('h', 'accounts.as_of_date') }}
    where {{ within_days('cast(h.changed_at as date)', 'accounts.as_of_date', commercial) }}
),

opportunities as (
    select
        accounts.as_of_date,
        accounts.account_id,
        o.opportunity_type,
        o.is_closed,
        o.is_won,
        o.is_lost,
        o.close_date,
        cast(o.modified_at as date) as modified_date
    from accounts
    inner join {{ ref('stg_crm__opportunities') }} as o
        on o.account_id = accounts.account_id
        and {{ valid_on('o', 'accounts.as_of_date') }}
    where not o.is_deleted
),

-- still shopping ---------------------------------------------------------------------------
evaluated_alternatives as (
    select
        as_of_date, account_id, 'evaluated_alternatives' as signal,
        max(recorded_date) as evidence_date,
        {{ saturate('count(*)', full['evaluated_alternatives']) }} * {{ fade('max(recorded_date)', 'as_of_date', shopping) }} as strength,
        cast(count(*) as {{ dbt.type_string() }}) || ' survey answer(s): evaluated alternatives in the last six months' as detail
    from responses
    where evaluated_alternatives
        and {{ within_days('recorded_date', 'as_of_date', shopping) }}
    group by as_of_date, account_id
),

shopping_mentions as (
    select as_of_date, account_id, created_date as evidence_date, 'ticket' as origin
    from tickets
    where {{ within_days('created_date', 'as_of_date', shopping) }}
        and {{ mentions_lexicon("coalesce(subject, '') || ' ' || coalesce(description, '')", lexicon['phrases'], lexicon['negations'], lexicon['negation_window']) }}
    union all
    select as_of_date, account_id, recorded_date as evidence_date, 'survey comment' as origin
    from responses
    where {{ within_days('recorded_date', 'as_of_date', shopping) }}
        and {{ mentions_lexicon('comment', lexicon['phrases'], lexicon['negations'], lexicon['negation_window']) }}
),

shopping_language as (
    select
        as_of_date, account_id, 'shopping_language' as signal,
        max(evidence_date) as evidence_date,
        {{ saturate('count(*)', full['shopping_language']) }} * {{ fade('max(evidence_date)', 'as_of_date', shopping) }} as strength,
        cast(count(*) as {{ dbt.type_string() }}) || ' ticket(s) or comment(s) mention competitors, pricing or leaving' as detail
    from shopping_mentions
    group by as_of_date, account_id
),

-- going quiet ------------------------------------------------------------------------------
{% set quiet_types = var('quiet_task_types') %}
engagement as (
    -- what the account and we did together: completed tasks (of `quiet_task_types`, every
    -- type when null) and finished survey answers
    select as_of_date, account_id, completed_date as event_date
    from tasks
    where completed_date is not null
        {%- if quiet_types %}
        and task_type in ({{ quoted_list(quiet_types) }})
        {%- endif %}
    union all
    select as_of_date, account_id, recorded_date as event_date
    from responses
    where is_finished
),

activity as (
    select
        as_of_date,
        account_id,
        max(event_date) as last_activity_date,
        count_if({{ within_days('event_date', 'as_of_date', recent) }}) as recent_count,
        count_if(
            event_date <= {{ dbt.dateadd('day', -recent, 'as_of_date') }}
            and event_date > {{ dbt.dateadd('day', -(recent + baseline), 'as_of_date') }}
        ) as baseline_count
    from engagement
    group by as_of_date, account_id
),

activity_drop as (
    select
        as_of_date, account_id, 'activity_drop' as signal,
        last_activity_date as evidence_date,
        -- the size of the drop: 1 - recent rate / the account's own baseline rate
        1.0 - (1.0 * recent_count * {{ baseline }}) / (baseline_count * {{ recent }}) as strength,
        cast(recent_count as {{ dbt.type_string() }}) || ' activities and survey answers in the last {{ recent }} days vs '
            || cast(baseline_count as {{ dbt.type_string() }}) || ' in the {{ baseline }} days before' as detail
    from activity
    where baseline_count >= {{ var('quiet_min_baseline') }}
        and recent_count * {{ baseline }} < {{ var('quiet_ratio') }} * baseline_count * {{ recent }}
),

surveys_unanswered as (
    select
        as_of_date, account_id, 'surveys_unanswered' as signal,
        max(recorded_date) as evidence_date,
        -- silence beyond the threshold, a year of it at most
        least(1.0, 1.0 * {{ dbt.datediff('max(recorded_date)', 'as_of_date', 'day') }} / 365) as strength,
        'no survey answered in {{ var("survey_silence_days") }} days, after answering before' as detail
    from responses
    group by as_of_date, account_id
    having max(recorded_date) <= {{ dbt.dateadd('day', -var('survey_silence_days'), 'as_of_date') }}
),

-- relationship fragility -------------------------------------------------------------------
key_contact_lost as (
    select
        as_of_date, account_id, 'key_contact_lost' as signal,
        max(case when is_deleted then valid_from else bounced_date end) as evidence_date,
        {{ saturate('count(distinct contact_id)', full['key_contact_lost']) }}
            * {{ fade('max(case when is_deleted then valid_from else bounced_date end)', 'as_of_date', lookback) }} as strength,
        cast(count(*) as {{ dbt.type_string() }}) || ' champion/economic buyer left (e-mail bounced or contact deleted)' as detail
    from contacts
    where relationship_role in ({% for r in var('key_contact_roles') %}'{{ r }}'{{ ',' if not loop.last }}{% endfor %})
        and (
            (is_deleted and {{ within_days('valid_from', 'as_of_date', lookback) }})
            or {{ within_days('bounced_date', 'as_of_date', lookback) }}
        )
    group by as_of_date, account_id
),

engaged_contacts as (
    select as_of_date, account_id, contact_id
    from tasks
    where contact_id is not null and {{ within_days('completed_date', 'as_of_date', lookback) }}
    union all
    select as_of_date, account_id, contact_id
    from responses
    where contact_id is not null and {{ within_days('recorded_date', 'as_of_date', lookback) }}
),

reachable_contacts as (
    -- contacts who could be engaged on the night: known, not deleted, e-mail not bounced
    select as_of_date, account_id, count(distinct contact_id) as contacts
    from contacts
    where not is_deleted and (bounced_date is null or bounced_date > as_of_date)
    group by as_of_date, account_id
),

engaged as (
    select as_of_date, account_id, count(distinct contact_id) as engaged
    from engaged_contacts
    group by as_of_date, account_id
),

single_threaded as (
    -- only where there is more than one person to engage: one contact is no thread to add
    select
        reachable_contacts.as_of_date, reachable_contacts.account_id, 'single_threaded' as signal,
        reachable_contacts.as_of_date as evidence_date,
        1.0 - 1.0 * coalesce(engaged.engaged, 0) / {{ var('min_engaged_contacts') }} as strength,
        cast(coalesce(engaged.engaged, 0) as {{ dbt.type_string() }}) || ' of '
            || cast(reachable_contacts.contacts as {{ dbt.type_string() }})
            || ' contact(s) engaged in the last {{ lookback }} days' as detail
    from reachable_contacts
    left join engaged
        on engaged.account_id = reachable_contacts.account_id
        and engaged.as_of_date = reachable_contacts.as_of_date
    where reachable_contacts.contacts > 1
        and coalesce(engaged.engaged, 0) < {{ var('min_engaged_contacts') }}
),

owner_changed as (
    select
        as_of_date, account_id, 'owner_changed' as signal,
        max(changed_date) as evidence_date,
        {{ fade('max(changed_date)', 'as_of_date', lookback) }} as strength,
        'relationship owner changed' as detail
    from account_changes
    where field_name = 'Owner' and {{ within_days('changed_date', 'as_of_date', lookback) }}
    group by as_of_date, account_id
),

owner_inactive as (
    select
        as_of_date, account_id, 'owner_inactive' as signal,
        as_of_date as evidence_date,
        1.0 as strength,
        'relationship owner ' || owner_id || ' is inactive' as detail
    from accounts
    where not owner_is_active
),

-- broken commitments -----------------------------------------------------------------------
commitments_broken as (
    select
        as_of_date, account_id, 'commitments_broken' as signal,
        max(due_date) as evidence_date,
        {{ saturate('count(*)', full['commitments_broken']) }} as strength,
        cast(count(*) as {{ dbt.type_string() }}) || ' follow-up(s) overdue or done late in the last {{ lookback }} days' as detail
    from tasks
    where task_type = 'Follow-up'
        and {{ within_days('due_date', 'as_of_date', lookback) }}
        and (
            (completed_date is null and due_date < as_of_date)
            or completed_date > due_date
        )
    group by as_of_date, account_id
    having count(*) >= {{ var('broken_commitments_min') }}
),

sla_breached as (
    select
        as_of_date, account_id, 'sla_breached' as signal,
        max(created_date) as evidence_date,
        {{ saturate('count(*)', full['sla_breached']) }} as strength,
        cast(count(*) as {{ dbt.type_string() }}) || ' ticket(s) answered later than their priority''s SLA' as detail
    from tickets
    where {{ within_days('created_date', 'as_of_date', lookback) }}
        and first_reply_minutes > case
            {%- for priority, minutes in var('sla_first_reply_minutes').items() %}
            when priority = '{{ priority }}' then {{ minutes }}
            {%- endfor %}
            else {{ var('sla_first_reply_minutes')['normal'] }}
        end
    group by as_of_date, account_id
    having count(*) >= {{ var('sla_breaches_min') }}
),

tickets_reopened as (
    select
        as_of_date, account_id, 'tickets_reopened' as signal,
        max(created_date) as evidence_date,
        {{ saturate('sum(reopens)', full['tickets_reopened']) }} as strength,
        cast(sum(reopens) as {{ dbt.type_string() }}) || ' ticket reopen(s) in the last {{ lookback }} days' as detail
    from tickets
    where {{ within_days('created_date', 'as_of_date', lookback) }} and reopens > 0
    group by as_of_date, account_id
    having sum(reopens) >= {{ var('reopens_min') }}
),

repeated_problems as (
    select as_of_date, account_id, lower(trim(subject)) as problem, count(*) as tickets, max(created_date) as last_date
    from tickets
    where {{ within_days('created_date', 'as_of_date', lookback) }}
        and ticket_type in ({{ quoted_list(var('complaint_ticket_types')) }})
        and subject is not null
    group by as_of_date, account_id, lower(trim(subject))
    having count(*) >= {{ var('repeat_problem_min') }}
),

repeat_problem as (
    select
        as_of_date, account_id, 'repeat_problem' as signal,
        max(last_date) as evidence_date,
        {{ saturate('max(tickets)', full['repeat_problem']) }} as strength,
        cast(max(tickets) as {{ dbt.type_string() }}) || ' tickets about the same problem' as detail
    from repeated_problems
    group by as_of_date, account_id
),

-- commercial -------------------------------------------------------------------------------
renewal_touched as (
    -- per account: is a Renewal opportunity moving (touched in renewal_stall_days, or won),
    -- and when an open one was last touched
    select
        as_of_date,
        account_id,
        max(case
            when (not is_closed and {{ within_days('modified_date', 'as_of_date', var('renewal_stall_days')) }})
                or (is_won and {{ within_days('close_date', 'as_of_date', var('renewal_horizon_days')) }})
            then 1 else 0
        end) as is_moving,
        max(case when not is_closed then modified_date end) as last_touched
    from opportunities
    where opportunity_type = 'Renewal'
    group by as_of_date, account_id
),

renewal_at_risk as (
    select
        accounts.as_of_date, accounts.account_id, 'renewal_at_risk' as signal,
        coalesce(renewal_touched.last_touched, accounts.as_of_date) as evidence_date,
        -- how near the renewal (1 - days to it / horizon) and how long it has stalled (days
        -- since an open Renewal opportunity was touched / renewal_stall_full_days; 1 when there
        -- is none), mixed by renewal_nearness_share
        {{ var('renewal_nearness_share') }}
            * (1.0 - 1.0 * {{ dbt.datediff('accounts.as_of_date', 'accounts.renewal_date', 'day') }} / {{ var('renewal_horizon_days') }})
        + (1.0 - {{ var('renewal_nearness_share') }})
            * coalesce(least(1.0, 1.0 * {{ dbt.datediff('renewal_touched.last_touched', 'accounts.as_of_date', 'day') }} / {{ var('renewal_stall_full_days') }}), 1.0)
            as strength,
        'renewal on ' || cast(accounts.renewal_date as {{ dbt.type_string() }}) || ' with no renewal opportunity moving'
            || coalesce(' (last touched ' || cast(renewal_touched.last_touched as {{ dbt.type_string() }}) || ')', ' (none open)') as detail
    from accounts
    left join renewal_touched
        on renewal_touched.account_id = accounts.account_id
        and renewal_touched.as_of_date = accounts.as_of_date
    where coalesce(renewal_touched.is_moving, 0) = 0
        and accounts.renewal_date >= accounts.as_of_date
        and accounts.renewal_date <= {{ dbt.dateadd('day', var('renewal_horizon_days'), 'accounts.as_of_date') }}
),

downgraded as (
    select
        as_of_date, account_id, 'downgraded' as signal,
        max(close_date) as evidence_date,
        {{ fade('max(close_date)', 'as_of_date', commercial) }} as strength,
        'downgrade closed' as detail
    from opportunities
    where opportunity_type = 'Downgrade' and is_won
        and {{ within_days('close_date', 'as_of_date', commercial) }}
    group by as_of_date, account_id
),

upsell_lost as (
    select
        as_of_date, account_id, 'upsell_lost' as signal,
        max(close_date) as evidence_date,
        {{ fade('max(close_date)', 'as_of_date', commercial) }} as strength,
        'upsell lost' as detail
    from opportunities
    where opportunity_type = 'Upsell' and is_lost
        and {{ within_days('close_date', 'as_of_date', commercial) }}
    group by as_of_date, account_id
),

arr_decreased as (
    select
        as_of_date, account_id, 'arr_decreased' as signal,
        max(changed_date) as evidence_date,
        -- the size of the cut: half of the ARR or more is full strength
        least(1.0, 2.0 * sum(old_number - new_number) / nullif(max(old_number), 0)) as strength,
        'ARR cut ' || cast(cast(sum(old_number - new_number) as bigint) as {{ dbt.type_string() }}) as detail
    from account_changes
    where field_name = 'ARR__c' and new_number < old_number
    group by as_of_date, account_id
),

-- complaints ------------------------------------------------------------------------------
{% set complaint_recent = var('complaint_recent_days') %}
{% set complaint_baseline = var('complaint_baseline_days') %}
complaint_volume as (
    select
        as_of_date,
        account_id,
        max(case when {{ within_days('created_date', 'as_of_date', complaint_recent) }} then created_date end) as last_complaint_date,
        count_if({{ within_days('created_date', 'as_of_date', complaint_recent) }}) as recent_count,
        -- the account's own rate of problem/incident tickets before, scaled to the recent window
        1.0 * count_if(
            created_date <= {{ dbt.dateadd('day', -complaint_recent, 'as_of_date') }}
            and created_date > {{ dbt.dateadd('day', -(complaint_recent + complaint_baseline), 'as_of_date') }}
        ) * {{ complaint_recent }} / {{ complaint_baseline }} as expected_count
    from tickets
    where ticket_type in ({{ quoted_list(var('complaint_ticket_types')) }})
    group by as_of_date, account_id
),

complaint_tickets as (
    select
        as_of_date, account_id, 'complaint_tickets' as signal,
        last_complaint_date as evidence_date,
        -- above the account's own baseline: 1 - (expected + 1) / (recent + 1), x recency
        (1.0 - (expected_count + 1.0) / (recent_count + 1.0))
            * {{ fade('last_complaint_date', 'as_of_date', complaint_recent) }} as strength,
        cast(recent_count as {{ dbt.type_string() }}) || ' problem/incident ticket(s) in the last {{ complaint_recent }} days, '
            || cast(round(expected_count, 1) as {{ dbt.type_string() }}) || ' expected from the {{ complaint_baseline }} days before' as detail
    from complaint_volume
    where recent_count >= {{ var('complaint_tickets_min') }}
        and recent_count >= {{ var('complaint_ratio') }} * expected_count
        and recent_count > expected_count
),

tickets_rated_bad as (
    select
        as_of_date, account_id, 'tickets_rated_bad' as signal,
        max(modified_date) as evidence_date,
        {{ saturate('count(*)', full['tickets_rated_bad']) }} * {{ fade('max(modified_date)', 'as_of_date', lookback) }} as strength,
        cast(count(*) as {{ dbt.type_string() }}) || ' ticket(s) rated bad in the last {{ lookback }} days' as detail
    from tickets
    where rating_score = 'bad'
        and {{ within_days('modified_date', 'as_of_date', lookback) }}
    group by as_of_date, account_id
    having count(*) >= {{ var('bad_ratings_min') }}
),

{% set spike_recent = var('spike_recent_days') %}
{% set spike_baseline = var('spike_baseline_days') %}
ticket_volume as (
    select
        as_of_date,
        account_id,
        max(created_date) as last_ticket_date,
        count_if({{ within_days('created_date', 'as_of_date', spike_recent) }}) as recent_count,
        -- the baseline's count scaled to the recent window's length
        1.0 * count_if(
            created_date <= {{ dbt.dateadd('day', -spike_recent, 'as_of_date') }}
            and created_date > {{ dbt.dateadd('day', -(spike_recent + spike_baseline), 'as_of_date') }}
        ) * {{ spike_recent }} / {{ spike_baseline }} as expected_count
    from tickets
    group by as_of_date, account_id
),

ticket_spike as (
    select
        as_of_date, account_id, 'ticket_spike' as signal,
        last_ticket_date as evidence_date,
        -- how far above the baseline: 1 - (expected + 1) / (recent + 1)
        1.0 - (expected_count + 1.0) / (recent_count + 1.0) as strength,
        cast(recent_count as {{ dbt.type_string() }}) || ' tickets in the last {{ spike_recent }} days, '
            || cast(round(expected_count, 1) as {{ dbt.type_string() }}) || ' expected from the {{ spike_baseline }} days before' as detail
    from ticket_volume
    where recent_count >= {{ var('spike_min_tickets') }}
        and recent_count >= {{ var('spike_ratio') }} * expected_count
),

-- tenure ----------------------------------------------------------------------------------
customer_starts as (
    -- what says when the account became a customer, as known on the night
    select accounts.as_of_date, accounts.account_id, starts.kind, min(starts.d) as d
    from accounts
    inner join (
        select o.account_id, 'won' as kind, o.close_date as d, o.valid_from
        from {{ ref('stg_crm__opportunities') }} as o
        where o.is_won and not o.is_deleted
            and o.opportunity_type in ({{ quoted_list(var('new_business_types')) }})
        union all
        select h.account_id, 'became_customer' as kind, cast(h.changed_at as date) as d, h.valid_from
        from {{ ref('stg_crm__account_history') }} as h
        where h.field_name = 'Type' and h.new_value = 'Customer'
        union all
        select a.account_id, 'created' as kind, cast(a.created_at as date) as d, a.valid_from
        from {{ ref('stg_crm__accounts') }} as a
    ) as starts
        on starts.account_id = accounts.account_id
        and starts.valid_from <= accounts.as_of_date
        and starts.d <= accounts.as_of_date
    group by accounts.as_of_date, accounts.account_id, starts.kind
),

customer_since as (
    -- the first closed-won new-business opportunity or the day Type became Customer, whichever is first;
    -- the account's creation only when neither is known
    select
        as_of_date,
        account_id,
        coalesce(
            min(case when kind in ('won', 'became_customer') then d end),
            min(case when kind = 'created' then d end)
        ) as customer_since
    from customer_starts
    group by as_of_date, account_id
),

new_customer as (
    select
        as_of_date, account_id, 'new_customer' as signal,
        customer_since as evidence_date,
        1.0 - 1.0 * {{ dbt.datediff('customer_since', 'as_of_date', 'day') }} / {{ var('new_customer_days') }} as strength,
        'a customer since ' || cast(customer_since as {{ dbt.type_string() }}) as detail
    from customer_since
    where {{ within_days('customer_since', 'as_of_date', var('new_customer_days')) }}
),

fired as (
    {% for cte in ['evaluated_alternatives', 'shopping_language', 'activity_drop', 'surveys_unanswered',
                   'key_contact_lost', 'single_threaded', 'owner_changed', 'owner_inactive',
                   'commitments_broken', 'sla_breached', 'tickets_reopened', 'repeat_problem',
                   'renewal_at_risk', 'downgraded', 'upsell_lost', 'arr_decreased',
                   'complaint_tickets', 'tickets_rated_bad', 'ticket_spike', 'new_customer'] -%}
    select as_of_date, account_id, signal, evidence_date, strength, detail from {{ cte }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- combinations ----------------------------------------------------------------------------
{% set converging_min = var('converging_min_categories') %}
fired_categories as (
    -- the kinds of warning on the night (whatever their weight: the combination means the
    -- same under any scorecard)
    select distinct fired.as_of_date, fired.account_id, weights.category, fired.evidence_date
    from fired
    inner join {{ ref('int_weights_selected') }} as weights
        on weights.signal = fired.signal
),

signals_converging as (
    select
        as_of_date, account_id, 'signals_converging' as signal,
        max(evidence_date) as evidence_date,
        -- one step per kind beyond the threshold, full at signal_full_strength
        {{ saturate('count(distinct category) - ' ~ (converging_min - 1), full['signals_converging']) }} as strength,
        cast(count(distinct category) as {{ dbt.type_string() }}) || ' kinds of warning at once (of shopping, going quiet, relationship, trust, commercial)' as detail
    from fired_categories
    group by as_of_date, account_id
    having count(distinct category) >= {{ converging_min }}
),

scored as (
    select as_of_date, account_id, signal, evidence_date, strength, detail from fired
    union all
    select as_of_date, account_id, signal, evidence_date, strength, detail from signals_converging
),

final as (
    select
        fired.as_of_date,
        fired.account_id,
        fired.signal,
        weights.category,
        weights.weight,
        round(cast(greatest(0.01, least(1.0, fired.strength)) as double), 4) as strength,
        fired.evidence_date,
        {{ dbt.datediff('fired.evidence_date', 'fired.as_of_date', 'day') }} as days_since_evidence,
        fired.detail,
        weights.weights_version
    from scored as fired
    inner join {{ ref('int_weights_selected') }} as weights
        on weights.signal = fired.signal
)

select
    as_of_date,
    account_id,
    signal,
    category,
    weight,
    strength,
    -- its contribution to the score: weight x strength, at least 1 point for a signal that is on
    cast(case when weight > 0 then greatest(1, round(weight * strength)) else 0 end as {{ dbt.type_int() }}) as points,
    evidence_date,
    days_since_evidence,
    detail,
    weights_version
from final
