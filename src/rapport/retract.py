"""Taking a wrongly loaded night back out: `rapport retract --date D`.

Retracting removes the night's raw and quarantine partitions, its manifest and its
delivery record from the lake, and remembers the landing folder's content fingerprint in
`<lake>/state/retracted.json`: while the folder holds the same files, no run loads it
again (deliver the night again with different files, and it is a new delivery). The
build warehouse is then rebuilt from the raw zone, over every night still loaded, so the
marts equal a clean load without the night.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import date
from pathlib import Path

from rapport.contract import SOURCES, objects_of
from rapport.ingest.lake_writes import read_load_records
from rapport.ingest.landing import delivery_fingerprint, delivery_is_complete
from rapport.ingest.results import IngestError
from rapport.lake import QUARANTINE, Lake
from rapport.paths import Paths


def retracted(lake: Path) -> dict[str, dict[str, str | None]]:
    """{source: {night: landing fingerprint when it was retracted (None: no folder)}}."""
    path = Lake(lake).retracted_state
    if not path.exists():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise IngestError(
            f"{path} cannot be read ({e}): restore it, or delete it to let every retracted "
            "night be loaded again"
        ) from None
    return value if isinstance(value, dict) else {}


def is_retracted(paths: Paths, source: str, night: date, marks: dict | None = None) -> bool:
    """The night was retracted and its landing folder still holds the same files."""
    marks = retracted(paths.lake) if marks is None else marks
    key = night.isoformat()
    if key not in marks.get(source, {}):
        return False
    return marks[source][key] == _landing_fingerprint(paths, source, night)


def _landing_fingerprint(paths: Paths, source: str, night: date) -> str | None:
    try:
        if not delivery_is_complete(paths.landing, source, night):
            return None
        return delivery_fingerprint(paths.landing, source, night)
    except (IngestError, OSError):
        return None


def loaded_nights(lake: Path) -> list[date]:
    return sorted({d for source in SOURCES for d in read_load_records(lake, source)})


def retract_night(paths: Paths, night: date, sources: tuple[str, ...] = SOURCES) -> list[str]:
    """Remove the night of these sources from the lake; returns what was removed (one
    line per source), empty when none of them had it loaded."""
    marks = retracted(paths.lake)
    raw = paths.raw_zone
    removed = []
    for source in sources:
        lake = Lake(paths.lake)
        folders = [lake.partition(QUARANTINE, o, night) for o in objects_of(source)]
        load_record = lake.load_record(source, night)
        present = [p for p in (*folders, load_record) if p.exists()]
        raw_present = [
            p
            for p in (
                *(raw.partition_path(source, o.name, night) for o in objects_of(source)),
                raw.deliveries_partition_path(source, night),
            )
            if raw.exists(p)
        ]
        if not present and not raw_present:
            continue
        marks.setdefault(source, {})[night.isoformat()] = _landing_fingerprint(paths, source, night)
        _write_json(
            Lake(paths.lake).retracted_state, marks
        )  # first: a crash below leaves it retracted
        for where in raw_present:
            raw.remove(where)
        for p in present:
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        removed.append(f"{source}/dt={night.isoformat()}")
    if removed:
        _forget_published(paths.lake, night, sources)
        for build in (paths.build_db, paths.build_db.with_name(paths.build_db.name + ".wal")):
            build.unlink(missing_ok=True)  # rebuilt from the raw zone by the next run
    return removed


def _forget_published(lake: Path, night: date, sources: tuple[str, ...]) -> None:
    path = Lake(lake).published_state
    if not path.exists():
        return
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return  # the next run reports it
    for source in sources:
        state.get(source, {}).pop(night.isoformat(), None)
    _write_json(path, state)


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(value, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
