with parts as (
    select 1 as grp, 'b' as part, 2 as pos
    union all select 1, 'a', 1
    union all select 1, 'c', 3
    union all select 2, 'x', 1
)

select grp, {{ ordered_string_agg('part', 'pos', ', ') }} as joined
from parts
group by grp
