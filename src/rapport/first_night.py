"""The first night an installation knows: where its Dagster partitions start."""

from __future__ import annotations

from datetime import date

from rapport.deliveries import delivered_nights
from rapport.nights import first_loaded_night
from rapport.settings import Paths


def first_night(paths: Paths) -> date | None:
    """The earliest night that is delivered (complete, in the landing) or loaded (in the
    lake, whose landing may have been cleaned since); None when there is neither. The lake's
    nights come from its manifests' names, not their content: a corrupt manifest is repaired
    by the run being prepared (`--force`), so it must not stop the run from starting."""
    known: set[date] = set()
    if paths.lake.is_dir() and (loaded := first_loaded_night(paths.lake)) is not None:
        known.add(loaded)
    if paths.landing.is_dir():
        known |= delivered_nights(paths)
    return min(known, default=None)
