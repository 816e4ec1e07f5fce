"""The nightly job: ingest → dbt → checks → publish, for one night or a range of nights."""

import dagster as dg

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Load the selected nights' deliveries, recompute those nights, publish.",
)
