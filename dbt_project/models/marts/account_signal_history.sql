{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'append'),
        partition_by=(['as_of_date'] if target.type == 'spark' else none),
        on_schema_change='fail',
        pre_hook="{% if is_incremental() and target.type != 'spark' %}delete from {{ this }} where {{ in_night_window('as_of_date') }}{% endif %}",
    )
}}
-- One row per customer account, night and signal that fired, point in time (like
-- account_loyalty_history, whose nights it shares): its strength and the points it added
-- under the scorecard of the night. Signals switched off (weight 0) keep their rows with 0
-- points, so `rapport tune` can learn from them too.
with signals as (
    select * from {{ ref('int_signals_detected') }}
)

select
    as_of_date,
    account_id,
    signal,
    cast(strength as double) as strength,
    cast(points as {{ dbt.type_int() }}) as points,
    weights_version
from signals
