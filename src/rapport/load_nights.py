"""Loading one source's nights: the changed complete deliveries of a range (a step's work)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rapport.ingest.hashes import LandingHashes, kept_in_lake
from rapport.ingest.lake_writes import deferred_sync
from rapport.ingest.landing import delivery_fingerprint, fingerprint
from rapport.ingest.load import ingest_delivery, loaded_deliveries
from rapport.ingest.raw_tables import write_delivery_row
from rapport.paths import Paths
from rapport.pending import readable_nights
from rapport.progress import night_loaded_line


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


def _changed_since_load(
    paths: Paths, source: str, nights: list[date], hashes: LandingHashes
) -> set[date]:
    loaded = loaded_deliveries(paths.lake, source)
    return {
        d
        for d in nights
        if d not in loaded
        or loaded[d].get("fingerprint") != delivery_fingerprint(paths.landing, source, d, hashes)
    }


def load_source_nights(
    paths: Paths,
    source: str,
    nights: list[date],
    force: bool = False,
    log: logging.Logger | None = None,
    hashes: LandingHashes | None = None,
) -> SourceLoad:
    """Load the source's complete deliveries among `nights` (changed ones only, unless forced)."""
    log = log or logging.getLogger(__name__)
    complete = set(readable_nights(paths, source))
    result = SourceLoad(source)
    # the range's partitions are made durable together, before its load records (lake_writes)
    raw = paths.raw_zone
    with kept_in_lake(paths.lake, paths.landing, hashes) as known, deferred_sync():
        wanted = sorted(n for n in nights if n in complete)
        changed = set(wanted) if force else _changed_since_load(paths, source, wanted, known)
        for night in sorted(nights):
            if night not in complete:
                result.missing.append(night)
                continue
            if night not in changed:
                result.unchanged.append(night)
                continue
            loads = ingest_delivery(paths.landing, paths.lake, source, night, known, raw)
            # the fingerprint of the bytes just loaded (as in the load record): no second read
            loaded = fingerprint({Path(x.file).name: x.sha256 for x in loads})
            write_delivery_row(paths.lake, source, night, loads, loaded, raw)
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
