"""Nights: daily partitions keyed by extract date (UTC), shared by the ingest and the scoring.

They start at the installation's first night (the earliest delivered or loaded one), computed
when the definitions are built: `rapport run` builds them for every run, `dagster dev`
when it loads (or reloads) the code location. Later nights need nothing (`end_offset=1`: the
night of today exists as soon as a delivery for it is complete). A night delivered *before*
the start (an older history delivered late) needs the code location reloaded in the UI; the
sensors and the schedule say so instead of requesting a run Dagster would refuse.
"""

from datetime import date

import dagster as dg

#: Where the partitions start when the installation has no night yet.
NIGHTS_START = "2020-01-01"


def nights_from(first: date | None) -> dg.DailyPartitionsDefinition:
    start = first.isoformat() if first else NIGHTS_START
    return dg.DailyPartitionsDefinition(start_date=start, end_offset=1, timezone="UTC")


def partitions_start(partitions: dg.PartitionsDefinition) -> date:
    assert isinstance(partitions, dg.TimeWindowPartitionsDefinition)
    return partitions.start.date()


def range_tags(night_from: date, night_to: date) -> dict[str, str]:
    """The run tags that make one run cover the nights from `night_from` to `night_to`
    (a single-run backfill of the partitioned assets)."""
    return {
        "dagster/asset_partition_range_start": night_from.isoformat(),
        "dagster/asset_partition_range_end": night_to.isoformat(),
    }
