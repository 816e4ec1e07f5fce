"""Which nights a run covers: the range from the pending deliveries, or the dates asked for.

Pure planning over the landing and the lake's delivery records; running the plan is the
orchestration's job (`pipelines.execute`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapport.ingest.hashes import LandingHashes
from rapport.paths import Paths, PathsError
from rapport.pending import all_pending, delivered_nights


@dataclass(frozen=True)
class RunPlan:
    night_from: date
    night_to: date
    pending: dict[str, list[date]]

    def covers(self, night: date) -> bool:
        return self.night_from <= night <= self.night_to

    def to_load(self) -> dict[str, list[date]]:
        """The pending deliveries of the plan's range, per source."""
        return {s: [d for d in days if self.covers(d)] for s, days in self.pending.items()}

    def describe(self) -> str:
        loads = ", ".join(f"{s}: {len(d)}" for s, d in self.to_load().items() if d) or "none"
        return f"nights {self.night_from} .. {self.night_to} (deliveries to load: {loads})"


def plan_run(
    paths: Paths,
    night: date | None = None,
    night_from: date | None = None,
    night_to: date | None = None,
    hashes: LandingHashes | None = None,
) -> RunPlan | None:
    """The range to run. Without dates: from the earliest pending delivery to the latest
    delivered night (a late delivery recomputes the nights after it). None: nothing to do.
    With dates, only the deliveries of that range are looked at."""
    paths.require_landing()
    if night is not None:
        return RunPlan(night, night, all_pending(paths, (night, night), hashes))
    if night_from is not None or night_to is not None:
        delivered = delivered_nights(paths)
        lo = night_from or min(delivered, default=None)
        hi = night_to or max(delivered, default=None)
        if lo is None or hi is None:
            raise PathsError(f"no complete delivery in {paths.landing}")
        if lo > hi:
            raise PathsError(f"--from {lo} is after --to {hi}")
        return RunPlan(lo, hi, all_pending(paths, (lo, hi), hashes))
    pending = all_pending(paths, hashes=hashes)
    earliest = min((d for days in pending.values() for d in days), default=None)
    if earliest is None:
        return None
    return RunPlan(earliest, max(delivered_nights(paths)), pending)
