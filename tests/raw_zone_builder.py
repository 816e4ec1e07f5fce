"""Typed raw-zone partitions written by hand with polars, for the quality suites' tests: valid
rows derived from the contract, changed where a test says, with lineage and a delivery
record."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import polars as pl

from rapport.contract import Kind, SourceObject, get_object, objects_of
from rapport.quality.suites import references

NIGHT = date(2026, 11, 2)
DTYPES: dict[Kind, pl.DataType] = {
    "string": pl.Utf8(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "string_list": pl.List(pl.Utf8()),
}


def _value(obj: SourceObject, raw: str, i: int, night: date) -> Any:
    """A valid value: keys i+1 (references point at the same i), values within the contract."""
    c = obj.column(raw)
    target = next((r.target_key for r in references(obj) if r.column == raw), raw)
    if c.values is not None:
        return c.values[0]
    match c.kind:
        case "int":
            return i + 1 if c.low is None else int(c.low)
        case "float":
            return 10.0
        case "bool":
            return False
        case "date":
            return night
        case "datetime":
            return datetime.combine(night, time(10, i % 60))
        case "string_list":
            return ["vip"]
    return f"{target}-{i}"


def rows(source: str, name: str, n: int, night: date = NIGHT, **changes: Any) -> list[dict]:
    """``n`` valid rows; ``changes`` maps a column to the values of the first rows."""
    obj = get_object(source, name)
    out = [{c.raw: _value(obj, c.raw, i, night) for c in obj.columns} for i in range(n)]
    for column, values in changes.items():
        for row, v in zip(out, values, strict=False):
            row[column] = v
    return out


def write(
    lake: Path,
    source: str,
    night: date,
    data: dict[str, list[dict]],
    schema: dict[str, pl.DataType] | None = None,
    drop: tuple[str, ...] = (),
) -> None:
    """The typed raw partitions of one delivery, with lineage, and its delivery record.

    ``schema`` overrides column types, ``drop`` leaves columns out.
    """
    for name, records in data.items():
        obj = get_object(source, name)
        types = {c.raw: DTYPES[c.kind] for c in obj.columns} | (schema or {})
        frame = (
            pl.DataFrame(records, schema=types)
            .drop(drop)
            .with_columns(
                pl.lit(source).alias("_source"),
                pl.lit(name).alias("_object"),
                pl.lit(night).alias("_extract_date"),
                pl.lit(f"{source}/dt={night}/{obj.filename}").alias("_file"),
                pl.int_range(2, len(records) + 2, dtype=pl.Int64).alias("_line"),
            )
        )
        folder = lake / "raw" / source / name / f"dt={night.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(folder / "part-0.parquet")
    record = lake / "raw" / "rapport" / "deliveries" / source / f"dt={night.isoformat()}"
    record.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"source": [source], "extract_date": [night]}).write_parquet(
        record / "part-0.parquet"
    )


def clean(source: str, n: int = 5, night: date = NIGHT) -> dict[str, list[dict]]:
    return {o.name: rows(source, o.name, n, night) for o in objects_of(source)}
