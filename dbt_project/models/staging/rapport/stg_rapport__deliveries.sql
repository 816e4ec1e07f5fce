-- One row per source and delivery night that the ingest loaded (replays replace their night).
select
    source,
    cast(extract_date as date) as extract_date,
    cast(files as bigint) as files,
    cast(rows_read as bigint) as rows_read,
    cast(rows_loaded as bigint) as rows_loaded,
    cast(rows_quarantined as bigint) as rows_quarantined,
    cast(rejected_files as bigint) as rejected_files,
    fingerprint
from {{ source('rapport', 'deliveries') }}
