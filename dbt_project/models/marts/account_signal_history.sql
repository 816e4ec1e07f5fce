{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'append'),
        partition_by=(['as_of_date'] if target.type == 'spark' else none),
        on_schema_change='append_new_columns',
        pre_hook="{% if is_incremental() and target.type != 'spark' %}delete from {{ this }} where {{ in_night_window('as_of_date') }}{% endif %}",
    )
}}
-- One row per customer account, night and signal that fired, point in time (like
-- account_loyalty_history, whose nights it shares): its strength and the points it added
-- under the scorecard of the night. Signals switched off (weight 0) keep their rows with 0
-- points, so `rapport tune` can learn from them too. Its latest night is the mart
-- account_loyalty_signals.
with signals as (
    select * from {{ ref('int_signals_detected') }}
)

select
    as_of_date,
    account_id,
    signal,
    category,
    cast(strength as double) as strength,
    cast(points as {{ dbt.type_int() }}) as points,
    evidence_date,
    cast(days_since_evidence as {{ dbt.type_bigint() }}) as days_since_evidence,
    detail,
    weights_version
from signals
