"""Publish: the serving warehouse users and BI tools open, swapped in after the gates."""

import dagster as dg

from pipelines.defs.resources import RapportResource
from rapport.config import load_config
from rapport.deliveries import record_published
from rapport.publish import PUBLISHED, publish


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
    publication = publish(paths.build_db, paths.warehouse, load_config().money.currency)
    record_published(paths.lake)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.serving)),
            "as_of_date": dg.MetadataValue.text(publication.as_of_date or "none"),
            **{name: dg.MetadataValue.int(n) for name, n in publication.rows.items()},
        }
    )
