"""Which nights each source delivered and loaded, and loading them.

A night is *complete* in the landing when its folder holds `_SUCCESS`; it is *loaded* when
the lake holds its manifest. A complete night whose content differs from what was loaded (a
replay or a correction) is pending again. The lake, not the Dagster instance, is the record.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from rapport.contract import SOURCES
from rapport.ingest import (
    ObjectLoad,
    complete_deliveries,
    delivery_fingerprint,
    ingest_delivery,
    loaded_deliveries,
)
from rapport.ingest.lake import TMP, publish
from rapport.settings import Paths

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


@dataclass
class SourceLoad:
    source: str
    loads: list[ObjectLoad] = field(default_factory=list)
    loaded: list[date] = field(default_factory=list)
    unchanged: list[date] = field(default_factory=list)
    missing: list[date] = field(default_factory=list)


def pending_nights(paths: Paths, source: str) -> list[date]:
    """Complete deliveries not yet loaded, or loaded with different content."""
    loaded = loaded_deliveries(paths.lake, source)
    return [
        d
        for d in complete_deliveries(paths.landing, source)
        if d not in loaded
        or loaded[d].get("fingerprint") != delivery_fingerprint(paths.landing, source, d)
    ]


def all_pending(paths: Paths) -> dict[str, list[date]]:
    return {source: pending_nights(paths, source) for source in SOURCES}


def delivered_nights(paths: Paths) -> set[date]:
    return {d for source in SOURCES for d in complete_deliveries(paths.landing, source)}


def load_source_nights(
    paths: Paths,
    source: str,
    nights: list[date],
    force: bool = False,
    log: logging.Logger | None = None,
) -> SourceLoad:
    """Load the source's complete deliveries among `nights` (changed ones only, unless forced)."""
    log = log or logging.getLogger(__name__)
    complete = set(complete_deliveries(paths.landing, source))
    pending = set(pending_nights(paths, source))
    result = SourceLoad(source)
    for night in sorted(nights):
        if night not in complete:
            result.missing.append(night)
            continue
        if night not in pending and not force:
            result.unchanged.append(night)
            continue
        loads = ingest_delivery(paths.landing, paths.lake, source, night)
        write_delivery_record(
            paths.lake, source, night, loads, delivery_fingerprint(paths.landing, source, night)
        )
        result.loads.extend(loads)
        result.loaded.append(night)
        log.info(
            f"{source} {night}: {sum(x.rows_loaded for x in loads)} rows loaded, "
            f"{sum(x.rows_quarantined for x in loads)} quarantined, "
            f"{sum(1 for x in loads if x.rejected)} file(s) rejected"
        )
    if result.missing:
        log.info(f"{source}: no complete delivery for {', '.join(map(str, result.missing))}")
    return result


def write_delivery_record(
    lake: Path, source: str, night: date, loads: list[ObjectLoad], fingerprint: str
) -> None:
    """The raw zone's record of one loaded delivery (`raw/rapport/deliveries`), read by dbt."""
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
    built = lake / TMP / "deliveries" / f"{source}-{night.isoformat()}-{uuid.uuid4().hex}.parquet"
    built.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(built)
    publish(built, lake / "raw" / "rapport" / "deliveries" / source / f"dt={night.isoformat()}")
