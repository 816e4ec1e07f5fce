"""Nights: daily partitions keyed by extract date (UTC), shared by the ingest and the scoring."""

from datetime import date

import dagster as dg

from rapport.nights import EARLIEST_NIGHT

#: The earliest extract date Rapport can load. Deliveries dated before it are refused
#: (`rapport.nights`: the plausible window of extract dates starts here at the latest).
NIGHTS_START = EARLIEST_NIGHT.isoformat()

# end_offset=1: the night of today exists as soon as a delivery for it is complete.
nights = dg.DailyPartitionsDefinition(start_date=NIGHTS_START, end_offset=1, timezone="UTC")


def range_tags(night_from: date, night_to: date) -> dict[str, str]:
    """The run tags that make one run cover the nights from `night_from` to `night_to`
    (a single-run backfill of the partitioned assets)."""
    return {
        "dagster/asset_partition_range_start": night_from.isoformat(),
        "dagster/asset_partition_range_end": night_to.isoformat(),
    }
