"""Publish: the serving warehouse users and BI tools open, swapped in after the gates; then
the night's exports (Parquet, CSV on request) and the dbt docs site beside it."""

import json
import os
import shutil
from pathlib import Path

import dagster as dg

from pipelines.defs.dbt_project import rapport_dbt_project
from pipelines.defs.resources import RapportResource
from rapport.config import MoneyConfig, PublishConfig, load_config
from rapport.dbt_docs import SITE_FILE, docs_fingerprint, record_fingerprint, reusable_site
from rapport.dbt_parse import reuse_latest_parse
from rapport.exports import copy_night_to_store, export_night
from rapport.pending import record_published
from rapport.publish import PUBLISHED, publish
from rapport.raw_zone import filesystem

EXPORTED = (*PUBLISHED, ("rapport", "publication"))


def _dbt_docs(context: dg.AssetExecutionContext, rapport: RapportResource) -> tuple[str, bool]:
    """`dbt docs generate --static` against the build warehouse, unless the site it wrote last
    time came from the same project, vars, profile and warehouse schema (rapport.dbt_docs);
    the single-page site is copied (atomically) to `<warehouse folder>/docs/dbt/index.html`.
    Returns that path, and whether the earlier site was reused."""
    paths = rapport.paths
    target = paths.lake_layout.dbt_target("docs")
    dbt_vars = rapport.dbt_vars()
    fingerprint = None
    if rapport.engine.name == "duckdb":
        fingerprint = docs_fingerprint(
            rapport_dbt_project.project_dir, dbt_vars, rapport.engine.profile(), paths.build_db
        )
    built = reusable_site(target, fingerprint)
    reused = built is not None
    if built is not None:
        context.log.info("dbt docs unchanged (same project, vars and warehouse schema): reused")
    else:
        context.log.info("dbt docs generate --static")
        record_fingerprint(target, None)  # a failed generation leaves nothing to reuse
        reuse_latest_parse(target, paths.lake_layout.dbt_targets)
        rapport.dbt().cli(
            ["docs", "generate", "--static", "--no-use-colors", "--vars", json.dumps(dbt_vars)],
            target_path=target,
            raise_on_error=True,
        ).wait()
        record_fingerprint(target, fingerprint)
        built = target / SITE_FILE
    site = paths.docs_dir / "dbt" / "index.html"
    site.parent.mkdir(parents=True, exist_ok=True)
    tmp = site.with_name(".index.html.writing")
    shutil.copyfile(built, tmp)
    os.replace(tmp, site)
    return str(site), reused


def build_serving(settings: PublishConfig, money: MoneyConfig) -> dg.AssetsDefinition:
    @dg.asset(
        key=["serving", "warehouse"],
        group_name="publish",
        deps=[dg.AssetKey([schema, table]) for schema, table in PUBLISHED],
        description="The serving DuckDB file (read-only for users and BI), replaced atomically; "
        "the night's exports under exports/<night>/ and the dbt docs under docs/dbt/ beside it.",
        kinds={"duckdb", "parquet"},
        pool="rapport_writer",
    )
    def serving_warehouse(
        context: dg.AssetExecutionContext, rapport: RapportResource
    ) -> dg.MaterializeResult:
        paths = rapport.paths
        publication = publish(
            rapport.engine,
            paths.warehouse,
            settings.storage_compatibility_version or None,
            rapport_dbt_project.manifest_path,
            currency=money.currency,
            records=paths.records_dir,
        )
        record_published(paths.lake)
        metadata: dict[str, dg.MetadataValue] = {
            "path": dg.MetadataValue.path(str(publication.serving)),
            "as_of_date": dg.MetadataValue.text(publication.as_of_date or "none"),
            **{name: dg.MetadataValue.int(n) for name, n in publication.rows.items()},
        }
        if publication.as_of_date and (settings.parquet_exports or settings.csv_exports):
            export = export_night(
                publication.serving,
                paths.exports_dir,
                publication.as_of_date,
                EXPORTED,
                csv=settings.csv_exports,
                keep_nights=settings.keep_export_nights,
                parquet=settings.parquet_exports,
            )
            metadata["exports"] = dg.MetadataValue.path(str(export.folder))
            if paths.store_exports:
                copied = copy_night_to_store(
                    export,
                    paths.store_exports,
                    filesystem(paths.lake_url, load_config().lake_store),
                    keep_nights=settings.keep_export_nights,
                )
                metadata["exports_on_store"] = dg.MetadataValue.text(copied)
        if settings.dbt_docs:
            site, reused = _dbt_docs(context, rapport)
            metadata["dbt_docs"] = dg.MetadataValue.path(site)
            # reused: the project and the warehouse schema are those of the earlier docs
            metadata["dbt_docs_reused"] = dg.MetadataValue.bool(reused)
            metadata["dbt_docs_url"] = dg.MetadataValue.url(Path(site).as_uri())
        return dg.MaterializeResult(metadata=metadata)

    return serving_warehouse
