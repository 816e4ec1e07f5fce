"""The raw zone beyond the objects' nightly partitions: schema files and the deliveries table.

dbt reads each object through a glob over its night partitions; an object that has never
delivered (a new source, or a file rejected on every night so far) would make that glob
empty and the read fail. A zero-row file under `_schema/` keeps every object readable with
its full schema (`rapport.lake.Lake.schema_file`).

The deliveries table (`raw/rapport/deliveries`, a dbt source) holds one row per loaded
delivery: its counts and fingerprint.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import polars as pl

from rapport.contract import OBJECTS, raw_schema
from rapport.ingest.lake_writes import put_into_raw
from rapport.ingest.results import ObjectLoad
from rapport.lake import Lake
from rapport.raw_zone import RawZone

DELIVERY_SCHEMA = {
    "source": pl.Utf8,
    "extract_date": pl.Date,
    "files": pl.Int64,
    "rows_read": pl.Int64,
    "rows_loaded": pl.Int64,
    "rows_quarantined": pl.Int64,
    "rejected_files": pl.Int64,
    "fingerprint": pl.Utf8,
}


def ensure_schema_partitions(lake: Path, raw: RawZone | None = None) -> None:
    """Write `<raw>/<source>/<object>/_schema/part-0.parquet` where it is missing (the raw
    zone `raw`, default the lake's)."""
    raw = raw or RawZone.under(lake)
    for obj in OBJECTS:
        _ensure_empty(lake, raw, raw.schema_path(obj.source, obj.name), raw_schema(obj))


def ensure_delivery_schema(lake: Path, raw: RawZone | None = None) -> None:
    """A zero-row record so `raw/rapport/deliveries` is readable before any delivery."""
    raw = raw or RawZone.under(lake)
    _ensure_empty(lake, raw, raw.deliveries_schema_path, DELIVERY_SCHEMA)


def _ensure_empty(lake: Path, raw: RawZone, target: str, schema: Mapping[str, pl.DataType]) -> None:
    """A zero-row Parquet file with `schema` at `target` (a file of the raw zone) unless
    one is there; built in scratch, put in place whole."""
    if raw.exists(target):
        return
    built = Lake(lake).scratch_root / "schemas" / f"{uuid.uuid4().hex}.parquet"
    built.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(schema=schema).write_parquet(built)
    if raw.remote:
        try:
            raw.fs.put_file(str(built), target)
        finally:
            built.unlink(missing_ok=True)
        return
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    built.replace(target)


def write_delivery_row(
    lake: Path,
    source: str,
    night: date,
    loads: list[ObjectLoad],
    fingerprint: str,
    raw: RawZone | None = None,
) -> None:
    """The deliveries table's row of one loaded delivery (in the raw zone `raw`, default the
    lake's)."""
    frame = pl.DataFrame(
        [
            {
                "source": source,
                "extract_date": night,
                "files": len(loads),
                "rows_read": sum(x.rows_read for x in loads),
                "rows_loaded": sum(x.rows_loaded for x in loads),
                "rows_quarantined": sum(x.rows_quarantined for x in loads),
                "rejected_files": sum(1 for x in loads if x.rejected),
                "fingerprint": fingerprint,
            }
        ],
        schema=DELIVERY_SCHEMA,
    )
    scratch = Lake(lake).scratch_root / "deliveries"
    built = scratch / f"{source}-{night.isoformat()}-{uuid.uuid4().hex}.parquet"
    built.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(built)
    raw = raw or RawZone.under(lake)
    put_into_raw(raw, built, raw.deliveries_partition_path(source, night))
    built.unlink(missing_ok=True)  # uploaded (an object store); moved away otherwise
