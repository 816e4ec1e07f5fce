{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'append'),
        partition_by=(['as_of_date'] if target.type == 'spark' else none),
        on_schema_change='fail',
        pre_hook="{% if is_incremental() and target.type != 'spark' %}delete from {{ this }} where {{ in_mover_window('as_of_date') }}{% endif %}",
    )
}}
-- What changed: per night and baseline (the night 1 and 7 days before, `mover_baseline_days`),
-- the accounts whose loyalty-risk score, risk tier or quadrant differ from the baseline, with
-- the signals that appeared or lapsed in between. On the watchlist = `accessible`, or pinned
-- there by an override. Incremental like account_loyalty_history: a run recomputes the nights
-- of its window and the `mover_baseline_days` after it (`macros/movers.sql`).
{% set baselines = var('mover_baseline_days') %}

with history as (
    select
        as_of_date,
        account_id,
        account_name,
        owner_id,
        owner_name,
        arr,
        loyalty_risk_score,
        risk_tier,
        quadrant,
        coalesce(quadrant_override, quadrant) = 'accessible' as on_watchlist,
        reasons,
        quadrant_override,
        risk_tier_override,
        override_reason
    from {{ ref('account_loyalty_history') }}
),

nights as (
    select distinct as_of_date from history
),

baselines as (
    -- the latest computed night at least N days before each night
    {% for days in baselines %}
    select
        nights.as_of_date,
        {{ days }} as days_back,
        max(earlier.as_of_date) as baseline_date
    from nights
    inner join nights as earlier
        on earlier.as_of_date <= {{ dbt.dateadd('day', -days, 'nights.as_of_date') }}
    where {{ in_mover_window('nights.as_of_date') }}
    group by nights.as_of_date
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

needed_nights as (
    -- only the nights compared and their baselines are read below
    select as_of_date from baselines
    union
    select baseline_date from baselines
),

scoped_history as (
    select history.*
    from history
    inner join needed_nights on needed_nights.as_of_date = history.as_of_date
),

signals as (
    -- from the history, not int_signals_detected: a baseline night is often outside this
    -- run's window, where the intermediate models hold nothing
    select fired.as_of_date, fired.account_id, fired.signal
    from {{ ref('account_signal_history') }} as fired
    inner join needed_nights on needed_nights.as_of_date = fired.as_of_date
),

compared as (
    select
        baselines.as_of_date,
        baselines.days_back,
        baselines.baseline_date,
        current_night.account_id,
        current_night.account_name,
        current_night.owner_id,
        current_night.owner_name,
        current_night.arr,
        baseline_night.loyalty_risk_score as risk_score_before,
        current_night.loyalty_risk_score,
        baseline_night.risk_tier as risk_tier_before,
        current_night.risk_tier,
        baseline_night.quadrant as quadrant_before,
        current_night.quadrant,
        coalesce(baseline_night.on_watchlist, false) as was_on_watchlist,
        current_night.on_watchlist,
        baseline_night.account_id is null as is_new,
        current_night.reasons,
        current_night.quadrant_override,
        current_night.risk_tier_override,
        current_night.override_reason
    from baselines
    inner join scoped_history as current_night
        on current_night.as_of_date = baselines.as_of_date
    left join scoped_history as baseline_night
        on baseline_night.as_of_date = baselines.baseline_date
        and baseline_night.account_id = current_night.account_id
),

moved as (
    select *
    from compared
    where is_new
        or loyalty_risk_score is distinct from risk_score_before
        or risk_tier <> risk_tier_before
        or quadrant <> quadrant_before
        or on_watchlist <> was_on_watchlist
),

appeared as (
    select
        moved.as_of_date,
        moved.days_back,
        moved.account_id,
        {{ ordered_string_agg('signals_now.signal', 'signals_now.signal', ', ') }} as signals
    from moved
    inner join signals as signals_now
        on signals_now.as_of_date = moved.as_of_date
        and signals_now.account_id = moved.account_id
    left join signals as signals_then
        on signals_then.as_of_date = moved.baseline_date
        and signals_then.account_id = moved.account_id
        and signals_then.signal = signals_now.signal
    where signals_then.signal is null
    group by moved.as_of_date, moved.days_back, moved.account_id
),

lapsed as (
    select
        moved.as_of_date,
        moved.days_back,
        moved.account_id,
        {{ ordered_string_agg('signals_then.signal', 'signals_then.signal', ', ') }} as signals
    from moved
    inner join signals as signals_then
        on signals_then.as_of_date = moved.baseline_date
        and signals_then.account_id = moved.account_id
    left join signals as signals_now
        on signals_now.as_of_date = moved.as_of_date
        and signals_now.account_id = moved.account_id
        and signals_now.signal = signals_then.signal
    where signals_now.signal is null
    group by moved.as_of_date, moved.days_back, moved.account_id
),

final as (
    select
        moved.as_of_date,
        cast(moved.days_back as {{ dbt.type_int() }}) as days_back,
        moved.baseline_date,
        moved.account_id,
        moved.account_name,
        moved.owner_id,
        moved.owner_name,
        moved.arr,
        case
            when moved.is_new then 'new_account'
            when moved.on_watchlist and not moved.was_on_watchlist then 'entered_watchlist'
            when moved.was_on_watchlist and not moved.on_watchlist then 'left_watchlist'
            when moved.loyalty_risk_score > moved.risk_score_before then 'risk_up'
            when moved.loyalty_risk_score < moved.risk_score_before then 'risk_down'
            else 'reclassified'
        end as movement,
        moved.risk_score_before,
        moved.loyalty_risk_score,
        moved.loyalty_risk_score - moved.risk_score_before as risk_change,
        moved.risk_tier_before,
        moved.risk_tier,
        moved.quadrant_before,
        moved.quadrant,
        moved.was_on_watchlist,
        moved.on_watchlist,
        coalesce(appeared.signals, '') as signals_appeared,
        coalesce(lapsed.signals, '') as signals_lapsed,
        moved.reasons,
        moved.quadrant_override,
        moved.risk_tier_override,
        moved.override_reason
    from moved
    left join appeared
        on appeared.as_of_date = moved.as_of_date
        and appeared.days_back = moved.days_back
        and appeared.account_id = moved.account_id
    left join lapsed
        on lapsed.as_of_date = moved.as_of_date
        and lapsed.days_back = moved.days_back
        and lapsed.account_id = moved.account_id
)

select * from final
