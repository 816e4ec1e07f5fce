"""Nights: daily partitions keyed by extract date (UTC), shared by the ingest and the scoring."""

import dagster as dg

#: The earliest extract date Rapport can load. Deliveries dated before it are refused.
NIGHTS_START = "2020-01-01"

# end_offset=1: the night of today exists as soon as a delivery for it is complete.
nights = dg.DailyPartitionsDefinition(start_date=NIGHTS_START, end_offset=1, timezone="UTC")
