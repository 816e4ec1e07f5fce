"""Loading a night's delivery into the raw zone, bad rows into quarantine."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from rapport.contract import LINEAGE, POLARS_TYPES, SourceObject, objects_of
from rapport.ingest import cast, readers
from rapport.ingest import lake_writes as writes
from rapport.ingest.hashes import LandingHashes
from rapport.ingest.landing import (
    FileStats,
    check_source,
    file_problem,
    fingerprint,
    incomplete_reason,
    relative_file,
    require_complete,
    scan_bytes,
    success_mtime,
    utf8_error,
)
from rapport.ingest.results import FileRejected, IngestError, ObjectLoad
from rapport.lake import QUARANTINE, Lake
from rapport.raw_zone import RawZone
from rapport.state_errors import UnreadableState

_PARQUET: dict[str, Any] = {"compression": "zstd", "compression_level": 1}


@dataclass(frozen=True)
class _Target:
    """One object's night: where it comes from and where it goes."""

    obj: SourceObject
    extract_date: date
    file: str  # relative to landing
    stage: Path

    def lineage(self) -> list[pl.Expr]:
        """The lineage columns (`rapport.contract.LINEAGE`), in order and typed."""
        values = {
            "_source": pl.lit(self.obj.source),
            "_object": pl.lit(self.obj.name),
            "_extract_date": pl.lit(self.extract_date),
            "_file": pl.lit(self.file),
            "_line": pl.col("_line"),
        }
        return [values[name].cast(POLARS_TYPES[kind]).alias(name) for name, kind in LINEAGE.items()]

    def quarantine(
        self, line: pl.Expr, column: pl.Expr, reason: pl.Expr, record: pl.Expr
    ) -> list[pl.Expr]:
        return [
            pl.lit(self.obj.source).alias("source"),
            pl.lit(self.obj.name).alias("object"),
            pl.lit(self.extract_date, pl.Date).alias("extract_date"),
            pl.lit(self.file).alias("file"),
            line.cast(pl.Int64).alias("line"),
            column.cast(pl.String).alias("column"),
            reason.cast(pl.String).alias("reason"),
            record.cast(pl.String).str.slice(0, readers.RECORD_CHARS).alias("record"),
        ]

    @property
    def raw_file(self) -> Path:
        return self.stage / "raw.parquet"

    @property
    def quarantine_file(self) -> Path:
        return self.stage / "quarantine.parquet"


@dataclass(frozen=True)
class _Written:
    rows_read: int
    rows_loaded: int
    totals: dict[str, int]


def ingest_object(
    landing: Path,
    lake: Path,
    obj: SourceObject,
    extract_date: date,
    hashes: LandingHashes | None = None,
    raw: RawZone | None = None,
) -> ObjectLoad:
    """Load one landing file of a complete delivery into ``raw`` and ``quarantine``; the
    file's digest is remembered in `hashes`. The raw zone is `raw` (default: the lake's).

    Bad rows go to quarantine and the rest loads; a file that cannot be loaded at all
    is refused whole (its night's raw partition is then left as it was).
    """
    hashes = hashes or LandingHashes()
    folder = require_complete(landing, obj.source, extract_date)
    path = folder / obj.filename
    with writes.scratch(lake, obj, extract_date) as stage, ThreadPoolExecutor(1) as pool:
        target = _Target(obj, extract_date, relative_file(obj, extract_date), stage)
        if problem := file_problem(landing, path):
            return _reject(lake, target, FileRejected(problem), None)
        if not path.is_file():
            return _reject(
                lake, target, FileRejected("file is missing from a complete delivery"), None
            )
        stats = pool.submit(scan_bytes, path, hashes)
        try:
            written = _load(path, target, stats)
        except FileRejected as e:
            return _reject(lake, target, e, _sha256(stats))
        except OSError as e:
            return _reject(lake, target, FileRejected(f"file cannot be read: {e}"), _sha256(stats))
        raw = raw or RawZone.under(lake)
        writes.put_into_raw(
            raw, target.raw_file, raw.partition_path(obj.source, obj.name, extract_date)
        )
        writes.move_into_place(
            target.quarantine_file, Lake(lake).partition(QUARANTINE, obj, extract_date)
        )
        return ObjectLoad(
            source=obj.source,
            object=obj.name,
            extract_date=extract_date,
            file=target.file,
            rows_read=written.rows_read,
            rows_loaded=written.rows_loaded,
            rows_quarantined=written.rows_read - written.rows_loaded,
            sha256=stats.result().sha256,
        )


def ingest_delivery(
    landing: Path,
    lake: Path,
    source: str,
    extract_date: date,
    hashes: LandingHashes | None = None,
    raw: RawZone | None = None,
) -> list[ObjectLoad]:
    """Load every object of one complete delivery into the raw zone `raw` (default: the
    lake's), then write its load record."""
    check_source(source)
    folder = require_complete(landing, source, extract_date)
    if reason := incomplete_reason(folder, source):
        raise IngestError(f"delivery {source}/dt={extract_date}: {reason}")
    mtime = success_mtime(landing, source, extract_date)
    try:
        replaced = writes.read_load_records(lake, source).get(extract_date)
    except UnreadableState:
        replaced = None  # being repaired: `--force` on the night loads it again
    writes.forget_load_record(lake, source, extract_date)
    loads = [
        ingest_object(landing, lake, obj, extract_date, hashes, raw) for obj in objects_of(source)
    ]
    # a delivery replaced while it was read must not be recorded as loaded
    require_complete(landing, source, extract_date)
    if success_mtime(landing, source, extract_date) != mtime:
        raise IngestError(
            f"delivery {source} dt={extract_date} was sent again while it was being loaded: "
            "load it again"
        )
    record = _load_record(source, extract_date, loads, mtime)
    if replaced is not None:
        _note_replaced_rows(record, replaced)
    writes.write_load_record(lake, source, extract_date, record)
    return loads


def _note_replaced_rows(record: dict[str, Any], replaced: dict[str, Any]) -> None:
    """A replay records how many rows each file of the delivery it replaces held (or, when
    that one was itself a replay, what its predecessor held), for the replay gate. A file
    that was rejected is no baseline: its rows never loaded."""
    for name, obj in record["objects"].items():
        before = replaced.get("objects", {}).get(name)
        if before is None:
            continue
        baseline = before.get("replaced_rows_read") or 0
        if not before.get("rejected"):
            baseline = max(before.get("rows_read", 0), baseline)
        if baseline:
            obj["replaced_rows_read"] = baseline


def loaded_deliveries(lake: Path, source: str) -> dict[date, dict[str, Any]]:
    """The load records of the source's loaded nights, by extract date."""
    check_source(source)
    return writes.read_load_records(lake, source)


def _load_record(
    source: str, extract_date: date, loads: list[ObjectLoad], mtime: float
) -> dict[str, Any]:
    objects = {
        load.object: {
            "file": load.file,
            "sha256": load.sha256,
            "rows_read": load.rows_read,
            "rows_loaded": load.rows_loaded,
            "rows_quarantined": load.rows_quarantined,
            "rejected": load.rejected,
        }
        for load in loads
    }
    return {
        "source": source,
        "extract_date": extract_date.isoformat(),
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "success_mtime": datetime.fromtimestamp(mtime, UTC).isoformat(),
        "fingerprint": fingerprint({Path(load.file).name: load.sha256 for load in loads}),
        "objects": objects,
    }


def _sha256(stats: Future[FileStats]) -> str | None:
    try:
        return stats.result().sha256
    except OSError:
        return None


def _reject(lake: Path, target: _Target, e: FileRejected, sha256: str | None) -> ObjectLoad:
    """Record a refused file in quarantine; its raw partition is left as it was."""
    row = pl.select(target.quarantine(pl.lit(None), pl.lit(None), pl.lit(e.reason), pl.lit(None)))
    row.write_parquet(target.quarantine_file, **_PARQUET)
    obj = target.obj
    writes.move_into_place(
        target.quarantine_file, Lake(lake).partition(QUARANTINE, obj, target.extract_date)
    )
    return ObjectLoad(
        source=obj.source,
        object=obj.name,
        extract_date=target.extract_date,
        file=target.file,
        rows_read=e.rows,
        rows_loaded=0,
        rows_quarantined=e.rows,
        rejected=e.reason,
        sha256=sha256,
    )


def _load(path: Path, target: _Target, stats: Future[FileStats]) -> _Written:
    if target.obj.fmt == "jsonl":
        parsed, written = _load_jsonl(path, target)
    else:
        parsed, written = _load_csv(path, target, stats)
    moved = _quarantine_conflicts(parsed, target)
    return replace(written, rows_loaded=written.rows_loaded - moved)


def _load_csv(
    path: Path, target: _Target, stats: Future[FileStats]
) -> tuple[readers.Parsed, _Written]:
    obj = target.obj
    header = readers.read_header(path, obj)
    if problem := readers.header_problem(header, obj):
        raise FileRejected(problem, readers.count_records(path, obj, header))
    # Counting inside values costs time: do it when a sample of the file shows it is
    # needed, or when the bytes of the whole file disagree with a read without it.
    attempts = (True,) if readers.sample_needs_counts(path, header) else (False, True)
    for count_inside in attempts:
        parsed = readers.csv_fast(path, header, count_inside=count_inside)
        try:
            written = _write(parsed, target)
        except pl.exceptions.PolarsError:
            if reason := utf8_error(path):
                raise FileRejected(reason, readers.count_records(path, obj, header)) from None
            break  # ragged, badly quoted or blank lines: only the slow path can read it
        if readers.csv_consistent(header, stats.result(), written.totals):
            return parsed, written
    parsed = readers.csv_repaired(path, header, target.stage)
    return parsed, _write(parsed, target)


def _load_jsonl(path: Path, target: _Target) -> tuple[readers.Parsed, _Written]:
    obj = target.obj
    bom = readers.starts_with_bom(path)
    parsed = readers.jsonl_fast(path, obj, bom=bom)
    try:
        written = _write(parsed, target)
        if readers.jsonl_consistent(path, obj, written.totals):
            return parsed, written
    except pl.exceptions.PolarsError:
        if reason := utf8_error(path):
            raise FileRejected(reason, readers.count_records(path, obj, None)) from None
    parsed = readers.jsonl_checked(path, obj, target.stage, bom=bom)
    return parsed, _write(parsed, target)


def _write(parsed: readers.Parsed, target: _Target) -> _Written:
    """Type and check the rows; write the good ones and the faulty ones to the stage."""
    obj = target.obj
    checked = cast.check(parsed.frame, obj)
    good = checked.filter(cast.OK)
    raw = good.select(*cast.raw_columns(obj), *target.lineage())
    reason, column = cast.reason_and_column(obj)
    bad = checked.filter(~pl.col(cast.OK)).select(
        target.quarantine(pl.col("_line"), column, reason, parsed.record)
    )
    if parsed.refused is not None:
        refused = parsed.refused.select(
            target.quarantine(
                pl.col("_line"), pl.col("_column"), pl.col("_fault"), pl.col("_record")
            )
        )
        bad = refused.merge_sorted(bad, key="line")
    totals = checked.select(*parsed.totals, pl.col(cast.OK).sum().alias("ok"))
    _, _, counted = pl.collect_all(
        [
            raw.sink_parquet(target.raw_file, **_PARQUET, lazy=True),
            bad.sink_parquet(target.quarantine_file, **_PARQUET, lazy=True),
            totals,
        ],
        engine="streaming",
    )
    sums = {k: int(v or 0) for k, v in counted.row(0, named=True).items()}
    return _Written(sums["rows"] + parsed.refused_rows, sums["ok"], sums)


def _quarantine_conflicts(parsed: readers.Parsed, target: _Target) -> int:
    """Move rows with the same key and stamp but different values to quarantine.

    Exact duplicates stay. Works on the written raw file: a sort of one hash per row
    finds repeated (key, stamp) pairs in a fraction of the time and memory that
    grouping the pairs takes; only rows sharing a hash are then compared, by a hash of
    their values. Returns the number of rows moved.
    """
    obj = target.obj
    key, stamp = obj.column(obj.key), obj.column(obj.stamp)
    pair = [key.raw, stamp.raw]
    raw = pl.scan_parquet(target.raw_file)
    hashed = pl.struct(pair).hash().alias("_hash")
    repeated = (
        raw.select(hashed)
        .sort("_hash")
        .filter(pl.col("_hash") == pl.col("_hash").shift(1))
        .collect(engine="streaming")
    )
    if not repeated.height:
        return 0
    version = pl.struct([c.raw for c in obj.columns]).hash().alias("_version")
    conflicts = (
        raw.filter(hashed.is_in(repeated["_hash"].implode()))
        .select(*pair, version)
        .group_by(pair)
        .agg(pl.col("_version").n_unique().alias("versions"))
        .filter(pl.col("versions") > 1)
        .select(pair)
        .collect(engine="streaming")
    )
    if not conflicts.height:
        return 0
    is_conflict = pl.struct(pair).is_in(conflicts.select(pl.struct(pair)).to_series().implode())
    moved = raw.filter(is_conflict).select("_line", *pair).collect()
    records = (
        parsed.frame.filter(pl.col("_line").is_in(moved["_line"].implode()))
        .select("_line", parsed.record.alias("_record"))
        .collect()
    )
    text = f"conflicting versions of {cast.label(key)} {{}} with the same {cast.label(stamp)}"
    reason = pl.format(f"{text} in one delivery", pl.col(key.raw).cast(pl.String))
    extra = moved.join(records, on="_line", how="left", maintain_order="left").select(
        target.quarantine(pl.col("_line"), pl.lit(None), reason, pl.col("_record"))
    )
    kept, quarantined = target.stage / "raw-kept.parquet", target.stage / "quarantine-all.parquet"
    raw.filter(~is_conflict).sink_parquet(kept, **_PARQUET)
    quarantine = pl.scan_parquet(target.quarantine_file)
    quarantine.merge_sorted(extra.lazy(), key="line").sink_parquet(quarantined, **_PARQUET)
    os.replace(kept, target.raw_file)
    os.replace(quarantined, target.quarantine_file)
    return moved.height
