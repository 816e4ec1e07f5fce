"""dbt models as Dagster assets: one @dbt_assets per partitioning.

- `nightly_models` (partitioned by night, one run per range): staging, the
  intermediate signals, `account_loyalty_history`, `account_signal_history` and
  `account_risk_movers`; dbt gets the window as its event-time flags (macros/night_window.sql),
  so every invocation of a run passes the same `--vars` and reuses the parsed project.
- `current_models` (unpartitioned): the marts that show the latest night.
dbt tests become asset checks of the models they test. dbt unit tests are not run by a night:
they test the SQL on fixtures, not the night's data, so they run in the test lanes
(docs/decisions.md, "Unit tests in CI, not in every night").
"""

import json
import sys
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from pipelines.defs.dbt_project import rapport_dbt_project
from pipelines.defs.resources import RapportResource
from rapport.dbt_parse import night_window_args, reuse_latest_parse
from rapport.ingest.raw_tables import ensure_delivery_schema, ensure_schema_partitions
from rapport.overrides import ensure_active
from rapport.progress import dbt_started_line

NIGHTLY_SELECT = (
    "path:models/staging path:models/intermediate account_loyalty_history account_signal_history"
    " account_risk_movers resource_type:seed"
)
CURRENT_SELECT = "path:models/marts"
CURRENT_EXCLUDE = "account_loyalty_history account_signal_history account_risk_movers"


class RapportTranslator(DagsterDbtTranslator):
    """Sources map to the raw-zone assets the ingest writes; models group by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(
                ["raw", dbt_resource_props["source_name"], dbt_resource_props["name"]]
            )
        return dg.AssetKey([self._layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return self._layer(dbt_resource_props)

    @staticmethod
    def _layer(props: Mapping[str, Any]) -> str:
        if props["resource_type"] == "seed":
            return "config"
        fqn = props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


translator = RapportTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def build_nightly_models(nights: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The nightly dbt models, partitioned by `nights`."""

    @dbt_assets(
        manifest=rapport_dbt_project.manifest_path,
        select=NIGHTLY_SELECT,
        name="nightly_models",
        partitions_def=nights,
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=translator,
        project=rapport_dbt_project,
    )
    def nightly_models(
        context: dg.AssetExecutionContext, rapport: RapportResource
    ) -> Iterator[Any]:
        window = context.partition_time_window
        night_from = window.start.date()
        night_to = (window.end - timedelta(days=1)).date()
        context.log.info(f"dbt computes nights {night_from} .. {night_to}")
        ensure_schema_partitions(rapport.paths.lake, rapport.paths.raw_zone)
        ensure_delivery_schema(rapport.paths.lake, rapport.paths.raw_zone)
        yield from _build(context, rapport, "nightly", night_window_args(night_from, night_to))

    return nightly_models


@dbt_assets(
    manifest=rapport_dbt_project.manifest_path,
    select=CURRENT_SELECT,
    exclude=CURRENT_EXCLUDE,
    name="current_models",
    dagster_dbt_translator=translator,
    project=rapport_dbt_project,
)
def current_models(context: dg.AssetExecutionContext, rapport: RapportResource) -> Iterator[Any]:
    yield from _build(context, rapport, "current", [])


def _build(
    context: dg.AssetExecutionContext, rapport: RapportResource, step: str, extra: list[str]
) -> Iterator[Any]:
    """`dbt build` of the step's selection, with the run's `--vars` (the same in every dbt
    invocation of a run) and `extra` arguments. Each step keeps its own target folder (its
    artifacts), with the installation; it starts from the latest parse any step wrote, so
    partial parsing carries over between steps and runs."""
    target = rapport.paths.lake_layout.dbt_target(step)
    reuse_latest_parse(target, rapport.paths.lake_layout.dbt_targets)
    ensure_active(rapport.paths.records_dir)  # dbt reads the overrides in force every run
    context.log.info(dbt_started_line(step, len(context.selected_asset_keys)))
    # colours only for a terminal: `rapport run` sends dbt's lines to a log file
    colours = "--use-colors" if sys.stdout.isatty() else "--no-use-colors"
    invocation = rapport.dbt().cli(
        [
            "build",
            colours,
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps(rapport.dbt_vars()),
            *extra,
        ],
        context=context,
        target_path=target,
    )
    yield from invocation.stream()
