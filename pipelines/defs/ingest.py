"""Ingest: one asset per source object, one step per source, partitioned by night.

A step reads the source's complete deliveries (`_SUCCESS` present) in its partition range
and writes them, typed, to the raw zone; bad rows go to quarantine. A delivery already
loaded with the same content (fingerprint) is skipped, so re-running a night is cheap and a
changed re-delivery (a replay) replaces that night. Each object's night is then validated
by its Great Expectations suite: a blocking asset check, so a failed night stops before dbt.
"""

from collections.abc import Iterator
from datetime import date

import dagster as dg
from pydantic import Field

from pipelines.defs.partitions import nights
from pipelines.defs.resources import RapportResource
from rapport.contract import SOURCES, objects_of
from rapport.deliveries import load_source_nights
from rapport.ingest import ObjectLoad
from rapport.quality.result import ObjectValidation

CHECK = "contract_suite"
MAX_EXAMPLES = 20


class IngestConfig(dg.Config):
    force: bool = Field(
        default=False, description="Reload deliveries even when their content has not changed."
    )


def _load_metadata(loads: list[ObjectLoad]) -> dict[str, dg.MetadataValue]:
    return {
        "nights": dg.MetadataValue.text(
            ", ".join(sorted({ld.extract_date.isoformat() for ld in loads})) or "none"
        ),
        "rows_read": dg.MetadataValue.int(sum(ld.rows_read for ld in loads)),
        "rows_loaded": dg.MetadataValue.int(sum(ld.rows_loaded for ld in loads)),
        "rows_quarantined": dg.MetadataValue.int(sum(ld.rows_quarantined for ld in loads)),
        "rejected_files": dg.MetadataValue.text(
            "; ".join(f"{ld.file}: {ld.rejected}" for ld in loads if ld.rejected) or "none"
        ),
    }


def _check_result(source: str, name: str, results: list[ObjectValidation]) -> dg.AssetCheckResult:
    blocking = [f"{v.extract_date}: {m}" for v in results for m in v.blocking_failures]
    warnings = [f"{v.extract_date}: {m}" for v in results for m in v.warnings]
    return dg.AssetCheckResult(
        asset_key=["raw", source, name],
        check_name=CHECK,
        passed=not blocking,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "nights_validated": dg.MetadataValue.int(len(results)),
            "rows_validated": dg.MetadataValue.int(sum(v.rows for v in results)),
            "blocking_failures": dg.MetadataValue.md(
                "\n".join(f"- {m}" for m in blocking[:MAX_EXAMPLES]) or "none"
            ),
            "warnings": dg.MetadataValue.md(
                "\n".join(f"- {m}" for m in warnings[:MAX_EXAMPLES]) or "none"
            ),
            "results": dg.MetadataValue.text(
                ", ".join(str(v.result_path) for v in results[-3:]) or "none"
            ),
        },
    )


def build_ingest_assets(source: str) -> dg.AssetsDefinition:
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
        name=f"ingest_{source}",
        specs=specs,
        check_specs=checks,
        partitions_def=nights,
        backfill_policy=dg.BackfillPolicy.single_run(),
        can_subset=False,
        pool="rapport_writer",
    )
    def _ingest(
        context: dg.AssetExecutionContext, config: IngestConfig, rapport: RapportResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        from rapport.quality import validate_night  # imports GX (~7 s): only when a step runs

        paths = rapport.paths
        nights_in_range = [date.fromisoformat(k) for k in context.partition_keys]
        result = load_source_nights(
            paths, source, nights_in_range, force=config.force, log=context.log
        )
        validations = [
            v
            for night in result.loaded
            for v in validate_night(paths.lake, paths.quality_dir, source, night)
        ]
        for obj in objects:
            loads = [ld for ld in result.loads if ld.object == obj.name]
            yield dg.MaterializeResult(
                asset_key=["raw", source, obj.name], metadata=_load_metadata(loads)
            )
            yield _check_result(source, obj.name, [v for v in validations if v.object == obj.name])

    return _ingest


ingest_assets = [build_ingest_assets(source) for source in SOURCES]
