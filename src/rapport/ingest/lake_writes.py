"""Writing into the lake atomically: partitions and load records (paths: `rapport.lake`).

A partition is one file, ``<zone>/<source>/<object>/dt=<date>/part-0.parquet``. It is
built in a scratch folder under ``<lake>/.tmp/`` and moved into place with one
``os.replace``: a reader sees
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
from datetime import date
from pathlib import Path
from typing import Any

from rapport.contract import SourceObject
from rapport.lake import PART, Lake
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


def move_into_place(built: Path, target_dir: Path) -> None:
    """Move a finished parquet file into its partition, replacing what was there."""
    _fsync(built)
    target_dir.mkdir(parents=True, exist_ok=True)
    os.replace(built, target_dir / PART)
    _fsync(target_dir)


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
    scratch_root = Lake(lake).scratch_root
    # the scratch name keeps its old prefix: forget_load_record clears leftovers by it
    tmp = scratch_root / source / f"manifest-dt={extract_date.isoformat()}-{uuid.uuid4().hex}.json"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    target = Lake(lake).load_record(source, extract_date)
    _fsync(tmp)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    _fsync(target.parent)


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
