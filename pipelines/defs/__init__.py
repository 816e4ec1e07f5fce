"""Rapport's Dagster definitions, by concern: ingest, dbt, quality, publish, automation."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from pipelines.defs.alerts import build_alerts_asset
from pipelines.defs.automation import build_automation
from pipelines.defs.dbt import current_models, nightly_models
from pipelines.defs.ingest import build_ingest
from pipelines.defs.jobs import nightly_job
from pipelines.defs.publish import serving_warehouse
from pipelines.defs.quality import satisfied_but_leaving
from pipelines.defs.report import build_report_asset
from rapport.config import RapportConfig, load_config


def build_definitions(
    resources: Mapping[str, object], config: RapportConfig | None = None
) -> dg.Definitions:
    config = config or load_config()
    sensors, schedules = build_automation(config)
    return dg.Definitions(
        assets=[
            *build_ingest(config.quality, config.ingest),
            nightly_models,
            current_models,
            serving_warehouse,
            build_alerts_asset(config.alerts, config.money),
            build_report_asset(config.report),
        ],
        asset_checks=[satisfied_but_leaving],
        jobs=[nightly_job],
        sensors=sensors,
        schedules=schedules,
        resources=dict(resources),
        # One writer at a time: DuckDB allows a single read-write process per file.
        executor=dg.in_process_executor,
    )
