-- What changed: per night and baseline (the night 1 and 7 days before, `mover_baseline_days`),
-- the accounts whose loyalty-risk score, risk tier or quadrant differ from the baseline, with
-- the signals that appeared or lapsed in between. On the watchlist = `accessible`, or pinned
-- there by an override.
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

signals as (
    select as_of_date, account_id, signal from {{ ref('int_signals_detected') }}
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
    group by nights.as_of_date
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

compared as (
    select
        baselines.as_of_date,
        baselines.days_back,
        baselines.baseline_date,
        now.account_id,
        now.account_name,
        now.owner_id,
        now.owner_name,
        now.arr,
        earlier.loyalty_risk_score as risk_score_before,
        now.loyalty_risk_score,
        earlier.risk_tier as risk_tier_before,
        now.risk_tier,
        earlier.quadrant as quadrant_before,
        now.quadrant,
        coalesce(earlier.on_watchlist, false) as was_on_watchlist,
        now.on_watchlist,
        earlier.account_id is null as is_new,
        now.reasons,
        now.quadrant_override,
        now.risk_tier_override,
        now.override_reason
    from baselines
    inner join history as now
        on now.as_of_date = baselines.as_of_date
    left join history as earlier
        on earlier.as_of_date = baselines.baseline_date
        and earlier.account_id = now.account_id
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
        {{ ordered_string_agg('tonight.signal', 'tonight.signal', ', ') }} as signals
    from moved
    inner join signals as tonight
        on tonight.as_of_date = moved.as_of_date
        and tonight.account_id = moved.account_id
    left join signals as before
        on before.as_of_date = moved.baseline_date
        and before.account_id = moved.account_id
        and before.signal = tonight.signal
    where before.signal is null
    group by moved.as_of_date, moved.days_back, moved.account_id
),

lapsed as (
    select
        moved.as_of_date,
        moved.days_back,
        moved.account_id,
        {{ ordered_string_agg('before.signal', 'before.signal', ', ') }} as signals
    from moved
    inner join signals as before
        on before.as_of_date = moved.baseline_date
        and before.account_id = moved.account_id
    left join signals as tonight
        on tonight.as_of_date = moved.as_of_date
        and tonight.account_id = moved.account_id
        and tonight.signal = before.signal
    where tonight.signal is null
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
