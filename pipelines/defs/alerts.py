"""Alerts: raise the night's new alert events once, post them if configured, keep the ledger."""

import dagster as dg
import duckdb

from pipelines.defs.resources import RapportResource
from rapport.alerts import load_into, raise_alerts, read_ledger
from rapport.config import AlertConfig, MoneyConfig


def build_alerts_asset(alerts: AlertConfig, money: MoneyConfig) -> dg.AssetsDefinition:
    @dg.asset(
        key=["marts", "alerts"],
        group_name="marts",
        deps=[dg.AssetKey(["marts", "alert_events"])],
        description="Every alert raised (once per account, event and night), from a ledger "
        "kept beside the lake; new ones are posted to the webhook named in rapport.toml.",
        kinds={"duckdb"},
        pool="rapport_writer",
    )
    def alerts_ledger(
        context: dg.AssetExecutionContext, rapport: RapportResource
    ) -> dg.MaterializeResult:
        paths = rapport.paths
        run = raise_alerts(rapport.engine, paths.records_dir, alerts, money.currency)
        if run.post is not None and not run.post.ok:
            # reported, never a failure: the night goes on without the post
            context.log.warning(
                f"alerts webhook: {run.post.detail}; the alerts are in marts.alerts"
            )
        # publish reads the ledger itself; the build file gets it too (DuckDB engine only:
        # Spark builds none), where the marts are, for whoever queries the build
        rows = read_ledger(paths.records_dir).height
        if rapport.engine.name == "duckdb":
            con = duckdb.connect(str(paths.build_db))
            try:
                load_into(con, paths.records_dir)
            finally:
                con.close()
        return dg.MaterializeResult(
            metadata={
                "new_alerts": dg.MetadataValue.int(run.raised),
                "posted": dg.MetadataValue.int(run.posted),
                "webhook": dg.MetadataValue.text(run.post.detail if run.post else "nothing posted"),
                "alerts_in_ledger": dg.MetadataValue.int(rows),
                "ledger": dg.MetadataValue.path(str(run.ledger)),
            }
        )

    return alerts_ledger
