"""Which extract dates are plausible for an installation (the window a `dt=` must fall in).

A delivery folder dated outside the window is refused, never loaded: a mistyped year in
the future would otherwise become the current night, and one from years before the
history would make every run fail. The window is configured in `rapport.toml`
(`[landing]`), relative to today (UTC) and to the installation's first loaded night.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rapport.config import LandingConfig, load_config
from rapport.contract import SOURCES

#: The earliest extract date Rapport can load at all (the Dagster partitions start here).
EARLIEST_NIGHT = date(2020, 1, 1)


@dataclass(frozen=True)
class NightWindow:
    """Extract dates from ``earliest`` to ``latest`` (both included) are plausible."""

    earliest: date
    latest: date
    earliest_why: str
    latest_why: str

    def refusal(self, night: date) -> str | None:
        """Why a delivery dated ``night`` is refused, or None when it is plausible."""
        if night > self.latest:
            return f"dated after the plausible window (latest {self.latest}: {self.latest_why})"
        if night < self.earliest:
            return (
                f"dated before the plausible window (earliest {self.earliest}: {self.earliest_why})"
            )
        return None


def first_loaded_night(lake: Path) -> date | None:
    """The installation's first night: the earliest delivery with a manifest in the lake."""
    nights = []
    for source in SOURCES:
        for path in (lake / "manifests" / source).glob("dt=*.json"):
            try:
                nights.append(date.fromisoformat(path.stem.removeprefix("dt=")))
            except ValueError:
                continue
    return min(nights, default=None)


def night_window(
    lake: Path, config: LandingConfig | None = None, today: date | None = None
) -> NightWindow:
    config = config or load_config().landing
    today = today or datetime.now(UTC).date()
    latest = today + timedelta(days=config.max_days_ahead)
    latest_why = f"today (UTC) + {config.max_days_ahead} day(s), [landing] max_days_ahead"
    first = first_loaded_night(lake)
    earliest, earliest_why = EARLIEST_NIGHT, "the earliest night Rapport loads"
    if first is not None:
        bound = first - timedelta(days=config.max_days_before_first)
        if bound > earliest:
            earliest = bound
            earliest_why = (
                f"the first loaded night {first} - {config.max_days_before_first} days, "
                "[landing] max_days_before_first"
            )
    return NightWindow(earliest, latest, earliest_why, latest_why)
