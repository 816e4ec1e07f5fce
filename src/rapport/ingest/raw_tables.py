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
from datetime import date
from pathlib import Path

import polars as pl

from rapport.contract import OBJECTS, raw_schema
from rapport.ingest.lake_writes import move_into_place
from rapport.ingest.results import ObjectLoad
from rapport.lake import Lake

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


def ensure_schema_partitions(lake: Path) -> None:
    """Write `<lake>/raw/<source>/<object>/_schema/part-0.parquet` where it is missing."""
    for obj in OBJECTS:
        target = Lake(lake).schema_file(obj.source, obj.name)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        pl.DataFrame(schema=raw_schema(obj)).write_parquet(tmp)
        tmp.replace(target)


def ensure_delivery_schema(lake: Path) -> None:
    """A zero-row record so `raw/rapport/deliveries` is readable before any delivery."""
    target = Lake(lake).deliveries_schema_file
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(schema=DELIVERY_SCHEMA).write_parquet(target)


def write_delivery_row(
    lake: Path, source: str, night: date, loads: list[ObjectLoad], fingerprint: str
) -> None:
    """The deliveries table's row of one loaded delivery."""
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
    move_into_place(built, Lake(lake).deliveries_partition(source, night))
