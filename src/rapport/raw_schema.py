"""The raw zone's Parquet schema per source object, and schema-only partitions.

dbt reads each object through a glob over its night partitions; an object that has never
delivered (a new source, or a file rejected on every night so far) would make that glob
empty and the read fail. A zero-row file under `_schema/` keeps every object readable with
its full schema. Spark ignores folders that start with `_`; DuckDB's glob reads it as zero
rows.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from rapport.contract import OBJECTS, Kind, SourceObject

POLARS_TYPES: dict[Kind, pl.DataType] = {
    "string": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "string_list": pl.List(pl.String()),
}
LINEAGE_TYPES: dict[str, pl.DataType] = {
    "_source": pl.String(),
    "_object": pl.String(),
    "_extract_date": pl.Date(),
    "_file": pl.String(),
    "_line": pl.Int64(),
}
SCHEMA_FOLDER = "_schema"


def raw_schema(obj: SourceObject) -> dict[str, pl.DataType]:
    return {**{c.raw: POLARS_TYPES[c.kind] for c in obj.columns}, **LINEAGE_TYPES}


def ensure_schema_partitions(lake: Path) -> None:
    """Write `<lake>/raw/<source>/<object>/_schema/part-0.parquet` where it is missing."""
    for obj in OBJECTS:
        target = lake / "raw" / obj.source / obj.name / SCHEMA_FOLDER / "part-0.parquet"
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        pl.DataFrame(schema=raw_schema(obj)).write_parquet(tmp)
        tmp.replace(target)
