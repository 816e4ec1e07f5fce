-- The scorecard the night is scored with: each signal's category and weight (its points at
-- full strength). The repo's seed is the default; an installation that applied a
-- `rapport tune` passes its scorecard as the var `scorecard` ({version, weights}), and every
-- row it scores says which version did (`weights_version`).
{% set scorecard = var('scorecard') %}

with seed as (
    select * from {{ ref('signal_weights') }}
)

select
    seed.signal,
    seed.category,
    {%- if scorecard %}
    cast(case seed.signal
        {%- for signal, points in scorecard['weights'].items() %}
        when '{{ signal | replace("'", "''") }}' then {{ points | int }}
        {%- endfor %}
        else 0
    end as {{ dbt.type_int() }}) as weight,
    cast('{{ scorecard["version"] | replace("'", "''") }}' as {{ dbt.type_string() }}) as weights_version,
    {%- else %}
    cast(seed.weight as {{ dbt.type_int() }}) as weight,
    cast('{{ var("weights_version") | replace("'", "''") }}' as {{ dbt.type_string() }}) as weights_version,
    {%- endif %}
    seed.description
from seed
