{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'append'),
        partition_by=(['as_of_date'] if target.type == 'spark' else none),
        on_schema_change='fail',
        pre_hook="{% if is_incremental() and target.type != 'spark' %}delete from {{ this }} where {{ in_night_window('as_of_date') }}{% endif %}",
    )
}}
-- The recomputed nights replace their old rows: on DuckDB a delete of the window, then an
-- append (dbt-duckdb's delete+insert joins on the non-unique night and grows with its
-- square); on Spark an insert_overwrite of the night partitions.
-- One row per customer account and night, computed only from the deliveries known on that
-- night. Each run (re)computes the nights of its window and replaces them.
{% set high = var('high_risk_threshold') %}
{% set medium = var('medium_risk_threshold') %}

with accounts as (
    select * from {{ ref('int_accounts_snapshotted') }}
),

satisfaction as (
    select * from {{ ref('int_satisfaction_scored') }}
),

signals as (
    -- the signals that are on (weight > 0); each adds its points (weight x strength)
    select
        as_of_date,
        account_id,
        count(*) as signals_fired,
        sum(points) as points_total,
        {{ ordered_string_agg(
            "signal || ' (+' || cast(points as " ~ dbt.type_string() ~ ") || ', '"
            ~ " || cast(days_since_evidence as " ~ dbt.type_string() ~ ") || 'd ago): ' || detail",
            "lpad(cast(1000 - points as " ~ dbt.type_string() ~ "), 4, '0') || signal",
            '; ') }} as reasons
    from {{ ref('int_signals_detected') }}
    where weight > 0
    group by as_of_date, account_id
),

evidence as (
    select * from {{ ref('int_evidence_counted') }}
),

scorecard as (
    select max(weights_version) as weights_version from {{ ref('int_weights_selected') }}
),

combined as (
    select
        accounts.as_of_date,
        accounts.account_id,
        accounts.account_name,
        accounts.industry,
        accounts.owner_id,
        accounts.owner_name,
        accounts.arr,
        accounts.renewal_date,
        -- explicit types: Spark's datediff is an int, and its decimal arithmetic keeps
        -- decimals where DuckDB's gives doubles (the contract checks both)
        cast({{ dbt.datediff('accounts.as_of_date', 'accounts.renewal_date', 'day') }} as {{ dbt.type_bigint() }}) as days_to_renewal,
        cast(satisfaction.satisfaction_score as double) as satisfaction_score,
        satisfaction.satisfaction_evidence,
        satisfaction.latest_nps,
        cast(satisfaction.nps as double) as nps,
        satisfaction.csat_avg,
        cast(satisfaction.ratings_good as {{ dbt.type_bigint() }}) as ratings_good,
        cast(satisfaction.ratings_bad as {{ dbt.type_bigint() }}) as ratings_bad,
        satisfaction.last_response_date,
        case
            when accounts.crm_status = 'insufficient_evidence'
                or accounts.support_status = 'insufficient_evidence' then 'insufficient_evidence'
            -- too little seen to call it low: a score that reached medium still stands
            when coalesce(evidence.too_little_behaviour, true)
                and coalesce(signals.points_total, 0) < {{ medium }} then 'insufficient_evidence'
            when accounts.crm_status = 'stale' or accounts.support_status = 'stale' then 'stale'
            else 'fresh'
        end as behaviour_evidence,
        coalesce(evidence.behaviour_events, 0) as behaviour_events,
        accounts.crm_status,
        accounts.support_status,
        accounts.surveys_status,
        cast(coalesce(signals.signals_fired, 0) as {{ dbt.type_bigint() }}) as signals_fired,
        cast(least(100, coalesce(signals.points_total, 0)) as {{ dbt.type_int() }}) as raw_risk_score,
        coalesce(signals.reasons, '') as reasons,
        scorecard.weights_version
    from accounts
    cross join scorecard
    left join satisfaction
        on satisfaction.account_id = accounts.account_id
        and satisfaction.as_of_date = accounts.as_of_date
    left join signals
        on signals.account_id = accounts.account_id
        and signals.as_of_date = accounts.as_of_date
    left join evidence
        on evidence.account_id = accounts.account_id
        and evidence.as_of_date = accounts.as_of_date
),

scored as (
    select
        *,
        case when behaviour_evidence <> 'insufficient_evidence' then raw_risk_score end as loyalty_risk_score,
        (satisfaction_score >= {{ var('satisfied_threshold') }}) as is_satisfied
    from combined
),

overrides as (
    -- a person's pin (`rapport override`), in force from its first night through its expiry
    select
        account_id as override_account_id,
        effective_from as override_from,
        expires_on as override_expires_on,
        quadrant as quadrant_override,
        risk_tier as risk_tier_override,
        reason as override_reason,
        author as override_author
    from {{ ref('stg_rapport__overrides') }}
),

pinned as (
    select
        scored.*,
        overrides.quadrant_override,
        overrides.risk_tier_override,
        overrides.override_reason,
        overrides.override_author,
        overrides.override_expires_on
    from scored
    left join overrides
        on overrides.override_account_id = scored.account_id
        and scored.as_of_date >= overrides.override_from
        and scored.as_of_date <= overrides.override_expires_on
)

select
    as_of_date,
    account_id,
    account_name,
    industry,
    owner_id,
    owner_name,
    arr,
    renewal_date,
    days_to_renewal,
    satisfaction_score,
    satisfaction_evidence,
    latest_nps,
    nps,
    csat_avg,
    ratings_good,
    ratings_bad,
    last_response_date,
    loyalty_risk_score,
    case
        when loyalty_risk_score is null then 'insufficient_evidence'
        when loyalty_risk_score >= {{ high }} then 'high'
        when loyalty_risk_score >= {{ medium }} then 'medium'
        else 'low'
    end as risk_tier,
    case
        when loyalty_risk_score is null or satisfaction_evidence = 'insufficient_evidence'
            then 'insufficient_evidence'
        when is_satisfied and loyalty_risk_score >= {{ high }} then 'accessible'
        when is_satisfied then 'truly_loyal'
        when loyalty_risk_score >= {{ high }} then 'high_risk'
        else 'trapped'
    end as quadrant,
    signals_fired,
    reasons,
    case
        when loyalty_risk_score >= {{ high }} then arr
        when loyalty_risk_score is not null then 0
    end as arr_at_risk,
    round(arr * loyalty_risk_score / 100.0, 2) as expected_arr_loss,
    behaviour_evidence,
    crm_status,
    support_status,
    surveys_status,
    cast(behaviour_events as {{ dbt.type_bigint() }}) as behaviour_events,
    weights_version,
    quadrant_override,
    risk_tier_override,
    override_reason,
    override_author,
    override_expires_on
from pinned
