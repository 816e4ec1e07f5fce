"""Publish: the serving warehouse users and BI tools open, swapped in after the gates."""

import dagster as dg

from pipelines.defs.dbt_project import rapport_dbt_project
from pipelines.defs.resources import RapportResource
from rapport.deliveries import record_published
from rapport.publish import PUBLISHED, export_parquet, publish


@dg.asset(
    key=["serving", "warehouse"],
    group_name="publish",
    deps=[dg.AssetKey([schema, table]) for schema, table in PUBLISHED],
    description="The serving DuckDB file (read-only for users and BI), replaced atomically.",
    kinds={"duckdb"},
    pool="rapport_writer",
)
def serving_warehouse(rapport: RapportResource) -> dg.MaterializeResult:
    paths = rapport.paths
    engine = rapport.engine
    publication = publish(engine, paths.warehouse, rapport_dbt_project.manifest_path)
    if engine.name == "spark":
        # Spark's own Parquet (<lake>/warehouse/) changes while a night is built and checked;
        # what passed the gates goes to <lake>/published/ for tools that read files
        export_parquet(publication.serving, engine.published_dir)
    record_published(paths.lake)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.serving)),
            "as_of_date": dg.MetadataValue.text(publication.as_of_date or "none"),
            **{name: dg.MetadataValue.int(n) for name, n in publication.rows.items()},
        }
    )
