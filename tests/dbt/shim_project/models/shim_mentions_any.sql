with texts as (
    select 1 as id, 'Evaluating a COMPETITOR' as body
    union all select 2, 'all good'
    union all select 3, cast(null as string)
    union all select 4, 'it''s done'
    union all select 5, 'axb'
    union all select 6, 'see a.b here'
    union all select 7, 'a Request For Proposal'
)

select id, {{ mentions_any('body', ['competitor', 'request for proposal', "it's", 'a.b']) }} as mentions
from texts
