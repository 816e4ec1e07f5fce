"""Which nights are pending: delivered, but not what the serving warehouse was built from.

A night is *complete* in the landing when its folder holds `_SUCCESS`; it is *loaded* when
the lake holds its load record; it is *published* when a run that included it passed its
gates and swapped the serving warehouse (`Lake.published_state` keeps the fingerprints of
the deliveries it saw). A complete night whose content differs from what was published (new,
a replay, a correction, or loaded by a run that then failed a gate) is *pending*. The lake,
not the Dagster instance, is the record.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date
from pathlib import Path

from rapport.contract import SOURCES
from rapport.ingest import complete_deliveries, delivery_fingerprint, loaded_deliveries
from rapport.ingest.hashes import LandingHashes, kept_in_lake
from rapport.ingest.landing import Refusal, scan_deliveries
from rapport.lake import Lake
from rapport.nights import night_window
from rapport.paths import Paths
from rapport.retract import is_retracted, retracted
from rapport.state_errors import UnreadableState


def published_fingerprints(lake: Path) -> dict[str, dict[str, str]]:
    path = Lake(lake).published_state
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
    path = Lake(lake).published_state
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _in(window: tuple[date, date] | None, night: date) -> bool:
    return window is None or window[0] <= night <= window[1]


def pending_nights(
    paths: Paths,
    source: str,
    window: tuple[date, date] | None = None,
    hashes: LandingHashes | None = None,
) -> list[date]:
    """Complete deliveries (within `window`, first and last night included, if given) whose
    content is not what the serving warehouse was built from. A night never published is
    pending without reading it; a published one is compared by fingerprint, whose file
    digests are kept in the lake while a file's identity, size, mtime and ctime hold."""
    published = published_fingerprints(paths.lake).get(source, {})
    with kept_in_lake(paths.lake, paths.landing, hashes) as known:
        return [
            d
            for d in readable_nights(paths, source)
            if _in(window, d)
            and (
                d.isoformat() not in published
                or published[d.isoformat()] != delivery_fingerprint(paths.landing, source, d, known)
            )
        ]


def all_pending(
    paths: Paths, window: tuple[date, date] | None = None, hashes: LandingHashes | None = None
) -> dict[str, list[date]]:
    return {source: pending_nights(paths, source, window, hashes) for source in SOURCES}


def readable_nights(paths: Paths, source: str) -> list[date]:
    """The source's complete deliveries a run would read: in the plausible window
    (`rapport.nights`) and not retracted as they are (`rapport.retract`)."""
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
            continue  # the run names the load record and its repair (`--force` loads it again)
        for night in loaded:
            if why := window.refusal(night):
                refused.append(
                    Refusal(
                        f"{source}/dt={night}",
                        f"is loaded but {why}: take it out with `rapport retract --date {night}`",
                    )
                )
    return refused


def delivered_nights(paths: Paths) -> set[date]:
    return {d for source in SOURCES for d in readable_nights(paths, source)}
