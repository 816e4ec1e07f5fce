"""Ingest: one asset per source object, one step per source, partitioned by night.

A step reads the source's complete deliveries (`_SUCCESS` present) in its partition range
and writes them, typed, to the raw zone; bad rows go to quarantine. A delivery already
loaded with the same content (fingerprint) is skipped, so re-running a night is cheap and a
changed re-delivery (a replay) replaces that night.
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


class IngestConfig(dg.Config):
    force: bool = Field(
        default=False, description="Reload deliveries even when their content has not changed."
    )


def _partition_dates(context: dg.AssetExecutionContext) -> list[date]:
    return [date.fromisoformat(k) for k in context.partition_keys]


def _metadata(loads: list[ObjectLoad]) -> dict[str, dg.MetadataValue]:
    return {
        "nights": dg.MetadataValue.text(", ".join(sorted({ld.extract_date.isoformat() for ld in loads}))),
        "rows_read": dg.MetadataValue.int(sum(ld.rows_read for ld in loads)),
        "rows_loaded": dg.MetadataValue.int(sum(ld.rows_loaded for ld in loads)),
        "rows_quarantined": dg.MetadataValue.int(sum(ld.rows_quarantined for ld in loads)),
        "rejected_files": dg.MetadataValue.text(
            "; ".join(f"{ld.file}: {ld.rejected}" for ld in loads if ld.rejected) or "none"
        ),
    }


def build_ingest_assets(source: str) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            ["raw", source, obj.name],
            group_name="raw",
            description=f"`{obj.filename}` from the {source} deliveries, typed Parquet per night.",
            kinds={"polars", "parquet"},
        )
        for obj in objects_of(source)
    ]

    @dg.multi_asset(
        name=f"ingest_{source}",
        specs=specs,
        partitions_def=nights,
        backfill_policy=dg.BackfillPolicy.single_run(),
        can_subset=False,
        pool="rapport_writer",
    )
    def _ingest(
        context: dg.AssetExecutionContext, config: IngestConfig, rapport: RapportResource
    ) -> Iterator[dg.MaterializeResult]:
        result = load_source_nights(
            rapport.paths, source, _partition_dates(context), force=config.force, log=context.log
        )
        for obj in objects_of(source):
            loads = [ld for ld in result.loads if ld.object == obj.name]
            yield dg.MaterializeResult(asset_key=["raw", source, obj.name], metadata=_metadata(loads))

    return _ingest


ingest_assets = [build_ingest_assets(source) for source in SOURCES]
