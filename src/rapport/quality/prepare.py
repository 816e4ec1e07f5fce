"""The raw zone as the suites see it: one night's partition with the derived columns, and the
delivery history (earlier nights' row counts and keys) the night is compared with."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta

import pandas as pd
import polars as pl
import pyarrow as pa

from rapport.contract import SourceObject
from rapport.quality.suites import (
    DRIFT_FACTOR,
    DRIFT_FLOOR,
    DRIFT_NIGHTS,
    MAX_ROWS,
    MIN_ROWS,
    Reference,
    future_column,
    patterns,
    references,
    stamps,
)
from rapport.raw_zone import RawZone


def delivery_nights(raw: RawZone, source: str, objects: tuple[SourceObject, ...]) -> list[date]:
    """Nights the source delivered: its delivery records, or any object partition."""
    nights = raw.nights(raw.deliveries_path(source))
    for obj in objects:
        nights |= raw.nights(raw.object_path(source, obj.name))
    return sorted(nights)


def scaled_bounds(
    bounds: dict[str, int | None], validated: int, rows: int
) -> dict[str, float | None]:
    """Row-count bounds for a sample: the sample is within them exactly when the whole
    partition is within the original ones."""
    if validated >= rows or rows == 0:
        return dict(bounds)
    factor = validated / rows
    return {k: None if v is None else v * factor for k, v in bounds.items()}


MAX_VALIDATED_ROWS = 500_000
FIRST_NIGHT = "first_night"  # History's column: the first night a key was delivered


class History:
    """The earlier deliveries a source's nights are compared with, each read once.

    One night's checks read the nights before it (row counts for the drift check, keys for
    the references). Read night by night, a range of n nights read its history about n
    times over (the keys of every earlier night, for each night: quadratic in the nights);
    here each partition's row count and each reference's keys are read once per validation
    of the source, and each night takes what it needs from them.
    """

    def __init__(self, raw: RawZone, nights: list[date], last: date) -> None:
        """``nights``: the source's delivered nights (the drift check's history);
        ``last``: the latest night to be validated (no key delivered after it is read)."""
        self.raw = raw
        self.nights = nights
        self.last = last
        self._files: dict[tuple[str, date], list[str]] = {}
        self._counts: dict[tuple[str, date], int | None] = {}
        self._first_delivered: dict[tuple[str, Reference, pl.DataType], pl.DataFrame] = {}

    def files(self, obj: SourceObject, night: date) -> list[str]:
        """The Parquet files of the object's partition of the night."""
        key = (obj.qualified, night)
        if key not in self._files:
            self._files[key] = self.raw.files(obj.source, obj.name, night)
        return self._files[key]

    def row_count(self, obj: SourceObject, night: date) -> int | None:
        """Rows of the object's partition of the night (from the Parquet footers); None
        when the ingest wrote none."""
        key = (obj.qualified, night)
        if key not in self._counts:
            files = self.files(obj, night)
            self._counts[key] = self.raw.row_count(files) if files else None
        return self._counts[key]

    def read_night(self, obj: SourceObject, night: date) -> tuple[pl.DataFrame, int] | None:
        """The object's raw partition of the night and its row count; None when the ingest
        wrote none. A partition over ``MAX_VALIDATED_ROWS`` is validated on a deterministic
        uniform sample of that many rows: GX works on pandas in memory (a 13M-row tasks
        night took the process past 14 GiB), and every row has already passed the ingest's
        own row checks."""
        rows = self.row_count(obj, night)
        if rows is None:
            return None
        scan = self.raw.scan(self.files(obj, night))
        if rows > MAX_VALIDATED_ROWS:
            every = -(-rows // MAX_VALIDATED_ROWS)  # ceil: keep every n-th row, in file order
            scan = scan.gather_every(every)
        return scan.collect(), rows

    def drift_bounds(self, obj: SourceObject, night: date) -> dict[str, int | None]:
        """Row-count bounds for the night from earlier incremental deliveries of the object.

        The first delivery (a full load) never counts; nights the object has no partition
        for (file missing or refused at ingest) are skipped. No history, no bounds. The
        night must not be empty when every earlier delivery had rows, nor above
        ``DRIFT_FACTOR`` times their median (and ``DRIFT_FLOOR``).
        """
        earlier = [d for d in self.nights[1:] if d < night][-DRIFT_NIGHTS:]
        counts = [n for d in earlier if (n := self.row_count(obj, d)) is not None]
        if not counts:
            return {MIN_ROWS: None, MAX_ROWS: None}
        return {
            MIN_ROWS: 1 if min(counts) > 0 else None,
            MAX_ROWS: max(int(DRIFT_FACTOR * statistics.median(counts)), DRIFT_FLOOR),
        }

    def delivered_keys(
        self, source: str, ref: Reference, night: date, dtype: pl.DataType
    ) -> pl.Series:
        """Distinct keys of the referenced object delivered up to ``night``, as ``dtype``.

        Partitions without the key column (refused by the target's own suite) add nothing.
        """
        first = self._first_delivered.get((source, ref, dtype))
        if first is None:
            first = self._first_delivered[(source, ref, dtype)] = self._first_nights(
                source, ref, dtype
            )
        return first.filter(pl.col(FIRST_NIGHT) <= night).get_column(ref.target_key)

    def _first_nights(self, source: str, ref: Reference, dtype: pl.DataType) -> pl.DataFrame:
        """Each key of the referenced object (as ``dtype``) with the first night it came,
        over the nights up to ``last``, in one pass."""
        folder = self.raw.object_path(source, ref.target)
        scans = [
            self.raw.scan([f]).select(
                pl.col(ref.target_key).cast(dtype, strict=False), pl.lit(d).alias(FIRST_NIGHT)
            )
            for d in sorted(self.raw.nights(folder))
            if d <= self.last
            for f in self.raw.files(source, ref.target, d)
            if ref.target_key in self.raw.columns(f)
        ]
        if not scans:
            return pl.DataFrame(
                schema={ref.target_key: dtype, FIRST_NIGHT: pl.Date()},
            )
        return pl.concat(scans).group_by(ref.target_key).agg(pl.col(FIRST_NIGHT).min()).collect()


def with_derived(
    frame: pl.DataFrame, obj: SourceObject, night: date, history: History
) -> pl.DataFrame:
    """Add the derived columns the suite checks (see `rapport.quality.suites`).

    A derived column is left out when a column it needs is missing: the schema checks
    report that, and the expectation on the derived column fails naming it.
    """
    have = set(frame.columns)
    limit = datetime.combine(night + timedelta(days=2), time())
    derived: list[pl.Expr] = [
        pl.when(pl.col(s) >= limit).then(pl.col(s)).alias(future_column(s))
        for s in stamps(obj)
        if s in have
    ]
    for r in references(obj):
        if r.column in have:
            known = history.delivered_keys(obj.source, r, night, frame.schema[r.column])
            unknown = pl.col(r.column).is_not_null() & ~pl.col(r.column).is_in(known.implode())
            derived.append(pl.when(unknown).then(pl.col(r.column)).alias(r.derived))
    for p in patterns(obj):
        if {p.column, p.when} <= have:
            derived.append(pl.when(pl.col(p.when)).then(pl.col(p.column)).alias(p.derived))
    return frame.with_columns(derived)


def _pandas_dtype(t: pa.DataType) -> pd.ArrowDtype | None:
    return None if pa.types.is_date(t) else pd.ArrowDtype(t)


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """Arrow-backed pandas columns (exact types, nulls kept), but dates as ``datetime64[ms]``.

    GX fingerprints each batch with pandas' hash, which walks an Arrow date column value by
    value, while a NumPy datetime column hashes at once (measured: docs/performance.md).
    """
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    return table.to_pandas(types_mapper=_pandas_dtype, date_as_object=False)
