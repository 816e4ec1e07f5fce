-- The nights to compute (every delivered extract date in the window) and, per source, the
-- freshest delivery known on each night, with the freshness status it gives that source.
{% set stale = var('stale_after_days') %}
{% set insufficient = var('insufficient_after_days') %}

with deliveries as (
    select source, extract_date from {{ ref('stg_rapport__deliveries') }}
),

nights as (
    select distinct extract_date as as_of_date
    from deliveries
    where {{ in_night_window('extract_date') }}
),

latest_known as (
    select
        nights.as_of_date,
        max(case when deliveries.source = 'crm' then deliveries.extract_date end) as crm_through,
        max(case when deliveries.source = 'support' then deliveries.extract_date end) as support_through,
        max(case when deliveries.source = 'surveys' then deliveries.extract_date end) as surveys_through
    from nights
    inner join deliveries on deliveries.extract_date <= nights.as_of_date
    group by nights.as_of_date
)

select
    as_of_date,
    crm_through,
    support_through,
    surveys_through,
    {% for src in ['crm', 'support', 'surveys'] -%}
    case
        when {{ src }}_through is null then 'insufficient_evidence'
        when {{ dbt.datediff(src ~ '_through', 'as_of_date', 'day') }} > {{ insufficient }} then 'insufficient_evidence'
        when {{ dbt.datediff(src ~ '_through', 'as_of_date', 'day') }} >= {{ stale }} then 'stale'
        else 'fresh'
    end as {{ src }}_status{{ ',' if not loop.last }}
    {% endfor %}
from latest_known
