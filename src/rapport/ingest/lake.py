"""The lake: raw and quarantine partitions, published atomically, and delivery manifests.

A partition is one file, ``<zone>/<source>/<object>/dt=<date>/part-0.parquet``. It is
built under ``<lake>/.tmp/`` and moved into place with one ``os.replace``: a reader sees
the old file or the new one, never a part of either, and a crash at any point leaves at
most a stale temporary folder, removed when the same partition is next built.
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
from rapport.state_errors import UnreadableState

RAW = "raw"
QUARANTINE = "quarantine"
PART = "part-0.parquet"
TMP = ".tmp"


def partition(lake: Path, zone: str, obj: SourceObject, extract_date: date) -> Path:
    """The folder of one object's night in the ``raw`` or ``quarantine`` zone."""
    return lake / zone / obj.source / obj.name / f"dt={extract_date.isoformat()}"


def manifest_path(lake: Path, source: str, extract_date: date) -> Path:
    return lake / "manifests" / source / f"dt={extract_date.isoformat()}.json"


@contextmanager
def staging(lake: Path, obj: SourceObject, extract_date: date) -> Iterator[Path]:
    """A fresh temporary folder for building one object's night; stale ones are removed."""
    base = lake / TMP / obj.source / obj.name
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
    """What a `deferred_sync` block wrote: files and folders to fsync, then manifests."""

    files: list[Path] = field(default_factory=list)
    folders: dict[Path, None] = field(default_factory=dict)  # ordered, unique
    manifests: list[tuple[Path, str, date, dict[str, Any]]] = field(default_factory=list)


_deferred: ContextVar[_Deferred | None] = ContextVar("rapport_lake_deferred", default=None)


@contextmanager
def deferred_sync() -> Iterator[None]:
    """Make the partitions published in this block durable once, at its end, then write the
    manifests it wrote (each night's "loaded" mark) and make them durable.

    One fsync per file and folder right after each write costs a journal commit each (a
    28-night range: ~1,600 of them); fsyncing everything after the last write commits once
    and finds the rest clean. The order that matters holds: no manifest is written before
    every partition of the block is on disk. Also at the end of a block that raised: the
    nights finished before the error keep their manifests."""
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
        _write_manifests(batch.manifests)


def publish(built: Path, target_dir: Path) -> None:
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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def forget_manifest(lake: Path, source: str, extract_date: date) -> None:
    """Mark a night as not loaded (before it is loaded again) and drop stale manifest temps."""
    manifest_path(lake, source, extract_date).unlink(missing_ok=True)
    tmp = lake / TMP / source
    if tmp.is_dir():
        for stale in tmp.glob(f"manifest-dt={extract_date.isoformat()}-*"):
            stale.unlink(missing_ok=True)


def write_manifest(lake: Path, source: str, extract_date: date, manifest: dict[str, Any]) -> None:
    """Mark a night as loaded (in a `deferred_sync` block: at its end)."""
    batch = _deferred.get()
    if batch is not None:
        batch.manifests.append((lake, source, extract_date, manifest))
        return
    _write_manifests([(lake, source, extract_date, manifest)])


def _write_manifests(manifests: list[tuple[Path, str, date, dict[str, Any]]]) -> None:
    """Write each manifest to a temporary file, fsync them, move them into place, fsync
    their folders."""
    moves = []
    for lake, source, extract_date, manifest in manifests:
        name = f"manifest-dt={extract_date.isoformat()}-{uuid.uuid4().hex}.json"
        tmp = lake / TMP / source / name
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        moves.append((tmp, manifest_path(lake, source, extract_date)))
    for tmp, _ in moves:
        _fsync(tmp)
    for tmp, target in moves:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    for folder in dict.fromkeys(target.parent for _, target in moves):
        _fsync(folder)


def read_manifests(lake: Path, source: str) -> dict[date, dict[str, Any]]:
    folder = lake / "manifests" / source
    if not folder.is_dir():
        return {}
    manifests = {}
    for path in sorted(folder.glob("dt=*.json")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            manifests[date.fromisoformat(manifest["extract_date"])] = manifest
        except (ValueError, KeyError, TypeError) as e:
            night = path.stem.removeprefix("dt=")
            raise UnreadableState(
                f"manifest {path} cannot be read ({type(e).__name__}: {e}): "
                f"`rapport run --force --date {night}` loads the night again and rewrites it"
            ) from None
    return manifests
