-- One row per account that defected: when, how, and the night it became known.
select
    defections.account_id,
    accounts.account_name,
    defections.defected_on,
    defections.defection_reason,
    defections.known_since
from {{ ref('int_defections_derived') }} as defections
left join {{ ref('stg_crm__accounts') }} as accounts
    on accounts.account_id = defections.account_id
    and accounts.valid_to is null
