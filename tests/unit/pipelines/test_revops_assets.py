"""Where the RevOps assets sit in the graph: alerts after their events and before publish,
the report after publish."""

from __future__ import annotations

import dagster as dg

from pipelines.defs import build_definitions
from pipelines.defs.resources import explicit_resources
from rapport.paths import Paths


def test_alerts_sit_between_their_events_and_the_serving_file(tmp_path):
    paths = Paths.resolve(tmp_path / "warehouse.duckdb", landing=tmp_path / "landing")
    graph = build_definitions(explicit_resources(paths)).resolve_asset_graph()
    alerts = dg.AssetKey(["marts", "alerts"])
    serving = dg.AssetKey(["serving", "warehouse"])
    assert dg.AssetKey(["marts", "alert_events"]) in graph.get(alerts).parent_keys
    assert {alerts, dg.AssetKey(["marts", "account_risk_movers"])} <= graph.get(serving).parent_keys
    assert graph.get(dg.AssetKey(["serving", "nightly_report"])).parent_keys == {serving}
