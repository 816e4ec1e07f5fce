"""Which nights a run covers: the range from the pending deliveries, or the dates asked for.

Pure planning over the landing and the lake's delivery records; running the plan is the
orchestration's job (`pipelines.execute`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapport.deliveries import all_pending, delivered_nights
from rapport.settings import Paths, SettingsError


@dataclass(frozen=True)
class RunPlan:
    night_from: date
    night_to: date
    pending: dict[str, list[date]]

    def describe(self) -> str:
        in_range = {
            s: [d for d in days if self.night_from <= d <= self.night_to]
            for s, days in self.pending.items()
        }
        loads = ", ".join(f"{s}: {len(d)}" for s, d in in_range.items() if d) or "none"
        return f"nights {self.night_from} .. {self.night_to} (deliveries to load: {loads})"


def plan_run(
    paths: Paths,
    night: date | None = None,
    night_from: date | None = None,
    night_to: date | None = None,
) -> RunPlan | None:
    """The range to run. Without dates: from the earliest pending delivery to the latest
    delivered night (a late delivery recomputes the nights after it). None: nothing to do.
    With dates, only the deliveries of that range are looked at."""
    paths.require_landing()
    if night is not None:
        return RunPlan(night, night, all_pending(paths, (night, night)))
    if night_from is not None or night_to is not None:
        delivered = delivered_nights(paths)
        lo = night_from or min(delivered, default=None)
        hi = night_to or max(delivered, default=None)
        if lo is None or hi is None:
            raise SettingsError(f"no complete delivery in {paths.landing}")
        if lo > hi:
            raise SettingsError(f"--from {lo} is after --to {hi}")
        return RunPlan(lo, hi, all_pending(paths, (lo, hi)))
    pending = all_pending(paths)
    earliest = min((d for days in pending.values() for d in days), default=None)
    if earliest is None:
        return None
    return RunPlan(earliest, max(delivered_nights(paths)), pending)
