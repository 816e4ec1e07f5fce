with nights as (
    select cast('2026-10-01' as date) as night
    union all select cast('2026-10-02' as date)
    union all select cast('2026-10-03' as date)
    union all select cast('2026-10-04' as date)
),

versions as (
    select 'v1' as version, cast('2026-10-01' as date) as valid_from, cast('2026-10-03' as date) as valid_to
    union all select 'v2', cast('2026-10-03' as date), cast(null as date)
)

select
    n.night,
    v.version,
    {{ within_days("cast('2026-09-29' as date)", 'n.night', 3) }} as within_3_days,
    {{ in_night_window('n.night') }} as in_window
from nights as n
inner join versions as v on {{ valid_on('v', 'n.night') }}
