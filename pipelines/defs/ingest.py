"""Ingest: one asset per source object, one step per source, partitioned by night.

A step reads the source's complete deliveries (`_SUCCESS` present) in its partition range
and writes them, typed, to the raw zone; bad rows go to quarantine. A delivery already
loaded with the same content (fingerprint) is skipped, so re-running a night is cheap and a
changed re-delivery (a replay) replaces that night. Each delivered night of the range is
then validated by its Great Expectations suites (blocking asset checks; one validation
per object over the range's nights, outcomes per night: `rapport.quality.nights`), and the step fails
when a file was rejected or too many rows were quarantined: the gates before dbt.

The loading and the validation run in a child process of the step (`rapport.step_process`),
so that the memory they take is given back before dbt runs.
"""

import time
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from pipelines.defs.resources import RapportResource
from rapport.config import IngestConfig, QualityConfig
from rapport.contract import SOURCES, objects_of
from rapport.ingest.landing import deliveries_bytes
from rapport.publish_gates import gate_problems, loads_of
from rapport.step_process import StepProcess

if TYPE_CHECKING:  # GX takes seconds to import: only the step's child process imports it
    from rapport.quality.result import ObjectValidation

CHECK = "contract_suite"
MAX_LISTED = 20


class IngestStepConfig(dg.Config):
    force: bool = Field(
        default=False, description="Reload deliveries even when their content has not changed."
    )
    release: bool = Field(
        default=False,
        description="Publish these nights despite rejected files, quarantined rows over the "
        "threshold or failed blocking expectations (they are still reported).",
    )


def _listing(lines: list[str]) -> dg.MetadataValue:
    shown = "\n".join(f"- {line}" for line in lines[:MAX_LISTED])
    more = f"\n- … and {len(lines) - MAX_LISTED} more" if len(lines) > MAX_LISTED else ""
    return dg.MetadataValue.md(shown + more if lines else "none")


def _load_metadata(
    entries: list[dict], loaded_now: list[date], phases: dict[str, float]
) -> dict[str, dg.MetadataValue]:
    return {
        # the step's two phases (the benchmark reads them): loading, then validating
        **{name: dg.MetadataValue.float(round(s, 3)) for name, s in phases.items()},
        "nights": dg.MetadataValue.text(
            ", ".join(sorted({e["night"].isoformat() for e in entries})) or "none"
        ),
        "loaded_now": dg.MetadataValue.text(", ".join(d.isoformat() for d in loaded_now) or "none"),
        "rows_read": dg.MetadataValue.int(sum(e["rows_read"] for e in entries)),
        "rows_loaded": dg.MetadataValue.int(sum(e["rows_loaded"] for e in entries)),
        "rows_quarantined": dg.MetadataValue.int(sum(e["rows_quarantined"] for e in entries)),
        "rejected_files": _listing(
            [f"{e['file']}: {e['rejected']}" for e in entries if e.get("rejected")]
        ),
    }


def _check_result(
    source: str, name: str, results: "list[ObjectValidation]", release: bool
) -> dg.AssetCheckResult:
    blocking = [f"{v.extract_date}: {m}" for v in results for m in v.blocking_failures]
    warnings = [f"{v.extract_date}: {m}" for v in results for m in v.warnings]
    return dg.AssetCheckResult(
        asset_key=["raw", source, name],
        check_name=CHECK,
        passed=not blocking,
        # a released night is reported but does not block
        severity=dg.AssetCheckSeverity.WARN if release else dg.AssetCheckSeverity.ERROR,
        metadata={
            "nights_validated": dg.MetadataValue.int(len(results)),
            "rows_validated": dg.MetadataValue.int(sum(v.rows for v in results)),
            "blocking_failures": _listing(blocking),
            # one line for `rapport run`'s verdict when this check stops the night
            "first_blocking_failure": dg.MetadataValue.text(
                blocking[0] + (f" (+{len(blocking) - 1} more)" if len(blocking) > 1 else "")
                if blocking
                else "none"
            ),
            "warnings": _listing(warnings),
            "results": dg.MetadataValue.text(
                ", ".join(str(v.result_path) for v in results[-3:]) or "none"
            ),
        },
    )


def ingest_step(source: str) -> str:
    """The name of a source's ingest step (its op, configured per run with `IngestStepConfig`)."""
    return f"ingest_{source}"


def build_ingest_assets(
    source: str,
    quality: QualityConfig,
    ingest: IngestConfig,
    nights: dg.PartitionsDefinition,
) -> dg.AssetsDefinition:
    objects = objects_of(source)
    specs = [
        dg.AssetSpec(
            ["raw", source, obj.name],
            group_name="raw",
            description=f"`{obj.filename}` from the {source} deliveries, typed Parquet per night.",
            kinds={"polars", "parquet"},
        )
        for obj in objects
    ]
    checks = [
        dg.AssetCheckSpec(
            CHECK,
            asset=["raw", source, obj.name],
            blocking=True,
            description="The Great Expectations suite derived from the extract contract.",
        )
        for obj in objects
    ]

    @dg.multi_asset(
        name=ingest_step(source),
        specs=specs,
        check_specs=checks,
        partitions_def=nights,
        backfill_policy=dg.BackfillPolicy.single_run(),
        can_subset=False,
        pool="rapport_writer",
    )
    def _ingest(
        context: dg.AssetExecutionContext, config: IngestStepConfig, rapport: RapportResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        started = time.monotonic()
        paths = rapport.paths
        in_range = [date.fromisoformat(k) for k in context.partition_keys]
        # polars and pandas (GX) keep the memory they used: a large night's load and
        # validations run in a child process, which gives all of it back before dbt runs
        landing_mib = deliveries_bytes(paths.landing, source, in_range) / 2**20
        isolated = landing_mib >= ingest.isolate_above_mib
        context.log.info(
            f"{source}: {landing_mib:.0f} MiB of landing, "
            + ("loading in a child process" if isolated else "loading in the run process")
        )
        with StepProcess(context.log, isolated=isolated) as child:
            result = child.load(paths, source, in_range, force=config.force)
            loaded = time.monotonic()
            # one validation per object over the range's nights, reported night by night
            validations = child.validate(
                paths.lake, paths.quality_dir, source, result.nights, paths.raw_zone
            )
        phases = {"load_seconds": loaded - started, "validation_seconds": time.monotonic() - loaded}
        entries = loads_of(paths.lake, source, result.nights)
        for obj in objects:
            yield dg.MaterializeResult(
                asset_key=["raw", source, obj.name],
                metadata=_load_metadata(
                    [e for e in entries if e["object"] == obj.name], result.loaded, phases
                ),
            )
            yield _check_result(
                source, obj.name, [v for v in validations if v.object == obj.name], config.release
            )
        problems = gate_problems(paths.lake, source, result.nights, quality.gate_rule)
        if problems and not config.release:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            raise dg.Failure(
                description=f"{source} gate failed: {problems[0]}{more}; "
                "replay a corrected delivery or release it with `rapport run --release`",
                metadata={"problems": _listing(problems)},
            )
        for problem in problems:
            context.log.warning(f"released: {problem}")

    return _ingest


def build_ingest(
    quality: QualityConfig, ingest: IngestConfig, nights: dg.PartitionsDefinition
) -> list[dg.AssetsDefinition]:
    return [build_ingest_assets(source, quality, ingest, nights) for source in SOURCES]
