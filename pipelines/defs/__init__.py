"""Rapport's Dagster definitions, by concern: ingest, dbt, quality, publish, automation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import dagster as dg

from pipelines.defs.alerts import build_alerts_asset
from pipelines.defs.automation import build_automation
from pipelines.defs.dbt import build_nightly_models, current_models
from pipelines.defs.ingest import build_ingest
from pipelines.defs.jobs import nightly_job
from pipelines.defs.partitions import nights_from
from pipelines.defs.progress import LOGGERS
from pipelines.defs.publish import build_serving
from pipelines.defs.quality import satisfied_but_leaving
from pipelines.defs.report import build_report_asset
from rapport.config import RapportConfig, load_config

# Written by every ingest step (one row per loaded delivery), read by dbt as a source: declared
# here so that it sits in the `raw` group with the other raw-zone assets, not in `default`.
delivery_records = dg.AssetSpec(
    ["raw", "rapport", "deliveries"],
    group_name="raw",
    description="One row per loaded delivery (source, night, files, rows read, loaded, "
    "quarantined, fingerprint), written by the ingest steps.",
    kinds={"parquet"},
)

# The overrides in force (`rapport override`, kept in <records>/ beside the lake), read by dbt
# as a source: declared so that it sits in a named group.
override_records = dg.AssetSpec(
    ["raw", "rapport", "overrides"],
    group_name="records",
    description="The overrides people pinned (`rapport override`), in force or scheduled: "
    "<records>/overrides.parquet, derived from the versioned log overrides.jsonl.",
    kinds={"parquet"},
)


def build_definitions(
    resources: Mapping[str, object],
    config: RapportConfig | None = None,
    first_night: date | None = None,
) -> dg.Definitions:
    """`first_night`: where the nights' partitions start (`rapport.first_night`)."""
    config = config or load_config()
    nights = nights_from(first_night)
    sensors, schedules = build_automation(config, nights)
    return dg.Definitions(
        assets=[
            *build_ingest(config.quality, config.ingest, nights),
            build_nightly_models(nights),
            current_models,
            build_serving(config.publish, config.money),
            delivery_records,
            override_records,
            build_alerts_asset(config.alerts, config.money),
            build_report_asset(config.report),
        ],
        asset_checks=[satisfied_but_leaving],
        jobs=[nightly_job],
        sensors=sensors,
        schedules=schedules,
        resources=dict(resources),
        loggers=LOGGERS,
        # One writer at a time: DuckDB allows a single read-write process per file.
        executor=dg.in_process_executor,
    )
