{#
  Turns every delivered row of a source object into its versions over time (SCD2), by
  delivery night:
  - inside one delivery, the row with the greatest stamp per key stands for it;
  - a delivery's row becomes the current version from its night (`valid_from`) when its stamp
    is at least the greatest stamp delivered before (ties: the later delivery wins), so a late
    record with an older stamp never overwrites a newer version;
  - it stays current until the next winning version's night (`valid_to`, exclusive).
  `is_current` marks the version current on the latest night, unless it is a deletion.

  Incremental on DuckDB (strategy `replace_versions`): a run whose window starts at
  `night_from` reads only the deliveries from that night on, and recomputes the versions of
  the keys they carry (plus keys whose versions came from those nights before, in case a
  replay dropped them) from the versions already known before `night_from`. The work grows
  with the night's deliveries, not with the history. Without `night_from`, or on a first
  build, every delivery is versioned. On Spark the model stays a table, rebuilt each run.
#}
{% macro versioned(relation, key, stamp) -%}
{{ versions_config(key) }}
{%- set night_from = recompute_from() -%}
per_delivery as (
    select *
    from {{ relation }}
    {%- if night_from %}
    where extract_date >= cast('{{ night_from }}' as date)
    {%- endif %}
    qualify row_number() over (
        partition by {{ key }}, extract_date
        order by {{ stamp }} desc nulls last, source_file desc, source_line desc
    ) = 1
),

{% if night_from -%}
recomputed_keys as (
    select {{ key }} from per_delivery
    union
    select {{ key }} from {{ this }} where valid_from >= cast('{{ night_from }}' as date)
),

known_before as (
    -- every version known before the window is a winner already: it keeps its place
    select * except (valid_from, valid_to, is_current)
    from {{ this }}
    where valid_from < cast('{{ night_from }}' as date)
        and {{ key }} in (select {{ key }} from recomputed_keys)
),

candidates as (
    select * from known_before
    union all
    select * from per_delivery
),
{%- else -%}
candidates as (
    select * from per_delivery
),
{%- endif %}

ranked as (
    select
        *,
        max({{ stamp }}) over (
            partition by {{ key }} order by extract_date
            rows between unbounded preceding and 1 preceding
        ) as _prior_max_stamp
    from candidates
),

winners as (
    select * except (_prior_max_stamp)
    from ranked
    where _prior_max_stamp is null or {{ stamp }} >= _prior_max_stamp
),

final as (
    select
        *,
        extract_date as valid_from,
        lead(extract_date) over (partition by {{ key }} order by extract_date) as valid_to
    from winners
)

select
    *,
    (valid_to is null and not is_deleted) as is_current
from final
{%- endmacro %}


{#
  Incremental strategy of the versioned staging models (DuckDB): the recomputed versions
  replace every version of their keys, and every version from `night_from` on (a replay
  may have dropped a key). Without `night_from` the whole table is replaced.
#}
{% macro get_incremental_replace_versions_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- set night_from = night_window()['from'] -%}
    delete from {{ target }}
    {%- if night_from %}
    where {{ key }} in (select {{ key }} from {{ temp }})
        or valid_from >= cast('{{ night_from }}' as date)
    {%- endif %};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ temp }}
{%- endmacro %}


{#
  Config of a model whose rows are record versions (`key`, `valid_from`): incremental by key
  with `replace_versions` on DuckDB, a table rebuilt each run on Spark.
#}
{% macro versions_config(key) -%}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='replace_versions',
    unique_key=key,
    on_schema_change='fail',
) }}
{%- endmacro %}


{# The night an incremental run recomputes versions from; none: every version. #}
{% macro recompute_from() -%}
{{ return(night_window()['from'] if is_incremental() else none) }}
{%- endmacro %}


{#
  The keys of a versions model derived from `relation` (itself a versions model, already
  updated by this run) whose versions from `night` on may have changed: new or replayed
  versions in `relation`, and versions this model holds from those nights (a replay may have
  dropped them).
#}
{% macro keys_changed_since(relation, key, night) -%}
    select {{ key }} from {{ relation }} where valid_from >= cast('{{ night }}' as date)
    union
    select {{ key }} from {{ this }} where valid_from >= cast('{{ night }}' as date)
{%- endmacro %}
