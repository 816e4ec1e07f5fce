"""The first night an installation knows: where its Dagster partitions start."""

from __future__ import annotations

from datetime import date

from rapport.deliveries import delivered_nights
from rapport.retract import loaded_nights
from rapport.settings import Paths


def first_night(paths: Paths) -> date | None:
    """The earliest night that is delivered (complete, in the landing) or loaded (in the
    lake, whose landing may have been cleaned since); None when there is neither."""
    known = set(loaded_nights(paths.lake)) if paths.lake.is_dir() else set()
    if paths.landing.is_dir():
        known |= delivered_nights(paths)
    return min(known, default=None)
