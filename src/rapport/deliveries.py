"""Which nights each source delivered, loaded and published, and loading them.

A night is *complete* in the landing when its folder holds `_SUCCESS`; it is *loaded* when
the lake holds its manifest; it is *published* when a run that included it passed its gates
and swapped the serving warehouse (`<lake>/state/published.json` keeps the fingerprints of
the deliveries it saw). A complete night whose content differs from what was published (new,
a replay, a correction, or loaded by a run that then failed a gate) is *pending*. The lake,
not the Dagster instance, is the record.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from rapport.config import load_config
from rapport.contract import SOURCES
from rapport.ingest import (
    ObjectLoad,
    complete_deliveries,
    delivery_fingerprint,
    ingest_delivery,
    loaded_deliveries,
)
from rapport.ingest.lake import TMP, deferred_sync, publish
from rapport.ingest.landing import Refusal, fingerprint, hash_cache, scan_deliveries
from rapport.nights import night_window
from rapport.progress import night_loaded_line
from rapport.quality_gate import GateRule, quarantine_verdict
from rapport.retract import is_retracted, retracted
from rapport.settings import Paths
from rapport.state_errors import UnreadableState

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
    """What one source's step did over its range of nights."""

    source: str
    loaded: list[date] = field(default_factory=list)
    unchanged: list[date] = field(default_factory=list)
    missing: list[date] = field(default_factory=list)

    @property
    def nights(self) -> list[date]:
        """The nights of the range the source delivered (loaded now or before)."""
        return sorted(self.loaded + self.unchanged)


def gate_problems(
    lake: Path,
    source: str,
    nights: list[date],
    rule: GateRule,
    max_replay_drop: float | None = None,
) -> list[str]:
    """Why these nights must not be published: rejected files, quarantined rows over the
    gate's rule (`rapport.quality_gate`), or a replay delivering markedly fewer rows than
    the delivery it replaced (`[landing] max_replay_drop`). Read from the manifests, so a
    rerun of the same nights fails the same way until the delivery is replayed or released."""
    if max_replay_drop is None:
        max_replay_drop = load_config().landing.max_replay_drop
    manifests = loaded_deliveries(lake, source)
    problems = []
    for night in nights:
        for name, obj in manifests.get(night, {}).get("objects", {}).items():
            where = obj.get("file") or f"{source}/{name}"
            if obj.get("rejected"):
                problems.append(f"{where} rejected: {obj['rejected']}")
                continue
            object_rows = sum(
                m.get("objects", {}).get(name, {}).get("rows_loaded", 0)
                for n, m in manifests.items()
                if n <= night
            )
            verdict = quarantine_verdict(
                rule, obj["rows_quarantined"], obj["rows_read"], object_rows
            )
            if verdict:
                problems.append(f"{where}: {verdict}")
            elif obj["rows_read"] < (1 - max_replay_drop) * (obj.get("replaced_rows_read") or 0):
                problems.append(
                    f"{where}: this replay delivers {obj['rows_read']} rows, the delivery it "
                    f"replaces held {obj['replaced_rows_read']} (a drop over "
                    f"{max_replay_drop:.0%}, [landing] max_replay_drop)"
                )
    return problems


def loads_of(lake: Path, source: str, nights: list[date]) -> list[dict]:
    """The manifest entries (one per object) of these nights."""
    manifests = loaded_deliveries(lake, source)
    return [
        {"night": n, "object": name, **obj}
        for n in nights
        for name, obj in manifests.get(n, {}).get("objects", {}).items()
    ]


def _published_path(lake: Path) -> Path:
    return lake / "state" / "published.json"


def published_fingerprints(lake: Path) -> dict[str, dict[str, str]]:
    path = _published_path(lake)
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text())
    except ValueError as e:
        raise UnreadableState(
            f"{path} cannot be read ({e}): delete it, and the next `rapport run` loads and "
            "publishes every delivery again"
        ) from None
    if not isinstance(state, dict):
        raise UnreadableState(f"{path} is not what Rapport wrote: delete it and run again")
    return state


def record_published(lake: Path) -> None:
    """After a publish: every loaded delivery, as loaded, is now what users see."""
    state = {
        source: {
            d.isoformat(): m.get("fingerprint") for d, m in loaded_deliveries(lake, source).items()
        }
        for source in SOURCES
    }
    path = _published_path(lake)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _in(window: tuple[date, date] | None, night: date) -> bool:
    return window is None or window[0] <= night <= window[1]


def pending_nights(
    paths: Paths, source: str, window: tuple[date, date] | None = None
) -> list[date]:
    """Complete deliveries (within `window`, first and last night included, if given) whose
    content is not what the serving warehouse was built from. A night never published is
    pending without reading it; a published one is compared by fingerprint, whose file
    digests are kept in the lake while a file's identity, size, mtime and ctime hold."""
    published = published_fingerprints(paths.lake).get(source, {})
    with hash_cache(paths.lake, paths.landing):
        return [
            d
            for d in _readable(paths, source)
            if _in(window, d)
            and (
                d.isoformat() not in published
                or published[d.isoformat()] != delivery_fingerprint(paths.landing, source, d)
            )
        ]


def _changed_since_load(paths: Paths, source: str, nights: list[date]) -> set[date]:
    loaded = loaded_deliveries(paths.lake, source)
    return {
        d
        for d in nights
        if d not in loaded
        or loaded[d].get("fingerprint") != delivery_fingerprint(paths.landing, source, d)
    }


def all_pending(paths: Paths, window: tuple[date, date] | None = None) -> dict[str, list[date]]:
    return {source: pending_nights(paths, source, window) for source in SOURCES}


def _readable(paths: Paths, source: str) -> list[date]:
    """Complete deliveries in the plausible window that were not retracted as they are."""
    marks = retracted(paths.lake)
    return [
        d
        for d in complete_deliveries(paths.landing, source, night_window(paths.lake))
        if not is_retracted(paths, source, d, marks)
    ]


def landing_refusals(paths: Paths) -> list[Refusal]:
    """Every folder of the landing that looks like a delivery but is refused, and why."""
    window = night_window(paths.lake)
    refused = [r for source in SOURCES for r in scan_deliveries(paths.landing, source, window)[1]]
    for source in SOURCES:
        try:
            loaded = loaded_deliveries(paths.lake, source)
        except UnreadableState:
            continue  # the run names the manifest and its repair (`--force` loads it again)
        for night in loaded:
            if why := window.refusal(night):
                refused.append(
                    Refusal(
                        f"{source}/dt={night}",
                        f"is loaded but {why}: take it out with `rapport retract --date {night}`",
                    )
                )
    return refused


def readable_nights(paths: Paths, source: str) -> list[date]:
    """The source's complete deliveries a run would read (see `_readable`)."""
    return _readable(paths, source)


def delivered_nights(paths: Paths) -> set[date]:
    return {d for source in SOURCES for d in _readable(paths, source)}


def load_source_nights(
    paths: Paths,
    source: str,
    nights: list[date],
    force: bool = False,
    log: logging.Logger | None = None,
) -> SourceLoad:
    """Load the source's complete deliveries among `nights` (changed ones only, unless forced)."""
    log = log or logging.getLogger(__name__)
    complete = set(_readable(paths, source))
    result = SourceLoad(source)
    # the range's partitions are made durable together, before its manifests (lake.py)
    with hash_cache(paths.lake, paths.landing), deferred_sync():
        wanted = sorted(n for n in nights if n in complete)
        changed = set(wanted) if force else _changed_since_load(paths, source, wanted)
        for night in sorted(nights):
            if night not in complete:
                result.missing.append(night)
                continue
            if night not in changed:
                result.unchanged.append(night)
                continue
            loads = ingest_delivery(paths.landing, paths.lake, source, night)
            # the fingerprint of the bytes just loaded (as in the manifest): no second read
            loaded = fingerprint({Path(x.file).name: x.sha256 for x in loads})
            write_delivery_record(paths.lake, source, night, loads, loaded)
            result.loaded.append(night)
            log.info(
                night_loaded_line(
                    source,
                    night,
                    sum(x.rows_loaded for x in loads),
                    sum(x.rows_quarantined for x in loads),
                    sum(1 for x in loads if x.rejected),
                )
            )
    if result.missing:
        log.info(f"{source}: no complete delivery for {', '.join(map(str, result.missing))}")
    return result


def ensure_delivery_schema(lake: Path) -> None:
    """A zero-row record so `raw/rapport/deliveries` is readable before any delivery."""
    target = lake / "raw" / "rapport" / "deliveries" / "_schema" / "_schema" / "part-0.parquet"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(schema=DELIVERY_SCHEMA).write_parquet(target)


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
