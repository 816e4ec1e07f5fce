"""Writing into the lake atomically: partitions and load records (paths: `rapport.lake`).

A partition is one file, ``<zone>/<source>/<object>/dt=<date>/part-0.parquet``. It is
built in a scratch folder under ``<lake>/.tmp/`` and moved into place with one
``os.replace``: a reader sees
the old file or the new one, never a part of either, and a crash at any point leaves at
most a stale temporary folder, removed when the same partition is next built.

A raw zone on an object store (`rapport.raw_zone`) has no rename: the finished file is
uploaded last, as one object put, which the store makes visible whole or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rapport.contract import SourceObject
from rapport.lake import PART, Lake
from rapport.raw_zone import RawZone
from rapport.state_errors import UnreadableState


@contextmanager
def scratch(lake: Path, obj: SourceObject, extract_date: date) -> Iterator[Path]:
    """A fresh scratch folder for building one object's night; stale ones are removed."""
    base = Lake(lake).scratch_dir(obj.source, obj.name)
    prefix = f"dt={extract_date.isoformat()}-"
    if base.is_dir():
        for stale in base.glob(f"{prefix}*"):
            shutil.rmtree(stale, ignore_errors=True)
    folder = base / f"{prefix}{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class _Deferred:
    """What a `deferred_sync` block wrote: files and folders to fsync, then load records."""

    files: list[Path] = field(default_factory=list)
    folders: dict[Path, None] = field(default_factory=dict)  # ordered, unique
    records: list[tuple[Path, str, date, dict[str, Any]]] = field(default_factory=list)


_deferred: ContextVar[_Deferred | None] = ContextVar("rapport_lake_deferred", default=None)


@contextmanager
def deferred_sync() -> Iterator[None]:
    """Make the partitions moved into place in this block durable once, at its end, then
    write the load records it wrote (each night's "loaded" mark) and make them durable.

    One fsync per file and folder right after each write costs a journal commit each (a
    28-night range: ~1,600 of them); fsyncing everything after the last write commits once
    and finds the rest clean. The order that matters holds: no load record is written before
    every partition of the block is on disk. Also at the end of a block that raised: the
    nights finished before the error keep their load records."""
    batch = _Deferred()
    token = _deferred.set(batch)
    try:
        yield
    finally:
        _deferred.reset(token)
        for path in batch.files:
            _fsync(path)
        for folder in batch.folders:
            _fsync(folder)
        _write_load_records(batch.records)


def move_into_place(built: Path, target_dir: Path) -> None:
    """Move a finished parquet file into its partition, replacing what was there."""
    batch = _deferred.get()
    if batch is None:
        _fsync(built)
    target_dir.mkdir(parents=True, exist_ok=True)
    os.replace(built, target_dir / PART)
    if batch is None:
        _fsync(target_dir)
    else:
        batch.files.append(target_dir / PART)
        batch.folders[target_dir] = None


def put_into_raw(raw: RawZone, built: Path, target_dir: str) -> None:
    """Put a finished parquet file into a raw-zone partition (`RawZone` path or URL)."""
    if not raw.remote:
        move_into_place(built, Path(target_dir))
        return
    raw.fs.put_file(str(built), f"{target_dir}/{PART}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def forget_load_record(lake: Path, source: str, extract_date: date) -> None:
    """Mark a night as not loaded (before it is loaded again) and drop stale record temps."""
    Lake(lake).load_record(source, extract_date).unlink(missing_ok=True)
    tmp = Lake(lake).scratch_root / source
    if tmp.is_dir():
        for stale in tmp.glob(f"manifest-dt={extract_date.isoformat()}-*"):
            stale.unlink(missing_ok=True)


def write_load_record(lake: Path, source: str, extract_date: date, record: dict[str, Any]) -> None:
    """Mark a night as loaded (in a `deferred_sync` block: at its end)."""
    batch = _deferred.get()
    if batch is not None:
        batch.records.append((lake, source, extract_date, record))
        return
    _write_load_records([(lake, source, extract_date, record)])


def _write_load_records(records: list[tuple[Path, str, date, dict[str, Any]]]) -> None:
    """Write each load record to a scratch file, fsync them, move them into place, fsync
    their folders."""
    moves = []
    for lake, source, extract_date, record in records:
        # the scratch name keeps its old prefix: forget_load_record clears leftovers by it
        name = f"manifest-dt={extract_date.isoformat()}-{uuid.uuid4().hex}.json"
        tmp = Lake(lake).scratch_root / source / name
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        moves.append((tmp, Lake(lake).load_record(source, extract_date)))
    for tmp, _ in moves:
        _fsync(tmp)
    for tmp, target in moves:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    for folder in dict.fromkeys(target.parent for _, target in moves):
        _fsync(folder)


def read_load_records(lake: Path, source: str) -> dict[date, dict[str, Any]]:
    folder = Lake(lake).load_records_dir(source)
    if not folder.is_dir():
        return {}
    records = {}
    for path in sorted(folder.glob("dt=*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            records[date.fromisoformat(record["extract_date"])] = record
        except (ValueError, KeyError, TypeError) as e:
            night = path.stem.removeprefix("dt=")
            raise UnreadableState(
                f"manifest {path} cannot be read ({type(e).__name__}: {e}): "
                f"`rapport run --force --date {night}` loads the night again and rewrites it"
            ) from None
    return records
