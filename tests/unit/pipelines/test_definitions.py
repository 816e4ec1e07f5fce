"""The Dagster code location loads, and its asset graph runs sources → staging → marts."""

from __future__ import annotations

import dagster as dg

from pipelines.defs import build_definitions
from pipelines.defs.resources import explicit_resources
from rapport.config import RapportConfig, ScheduleConfig
from rapport.contract import OBJECTS
from rapport.settings import Paths


def _defs(tmp_path, config: RapportConfig | None = None) -> dg.Definitions:
    paths = Paths.resolve(tmp_path / "warehouse.duckdb", landing=tmp_path / "landing")
    return build_definitions(explicit_resources(paths), config)


def test_definitions_load_with_env_resources(monkeypatch, tmp_path):
    monkeypatch.setenv("RAPPORT_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("RAPPORT_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    import pipelines.definitions as module

    dg.Definitions.validate_loadable(module.defs)


def test_asset_graph_runs_from_raw_through_staging_to_marts(tmp_path):
    graph = _defs(tmp_path).resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    for obj in OBJECTS:
        assert dg.AssetKey(["raw", obj.source, obj.name]) in keys
    accounts = dg.AssetKey(["staging", "stg_crm__accounts"])
    signals = dg.AssetKey(["intermediate", "int_signals_detected"])
    risk = dg.AssetKey(["marts", "account_loyalty_risk"])
    serving = dg.AssetKey(["serving", "warehouse"])
    assert dg.AssetKey(["raw", "crm", "accounts"]) in graph.get(accounts).parent_keys
    assert {accounts, signals} <= _ancestors(graph, risk)
    assert risk in graph.get(serving).parent_keys


def _ancestors(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    todo = [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_dbt_tests_and_business_check_are_asset_checks(tmp_path):
    graph = _defs(tmp_path).resolve_asset_graph()
    checks = graph.asset_check_keys
    risk = dg.AssetKey(["marts", "account_loyalty_risk"])
    assert any(c.asset_key == risk and "unique" in c.name for c in checks)
    assert any(c.asset_key == risk and "accepted_values" in c.name for c in checks)
    assert (
        dg.AssetCheckKey(dg.AssetKey(["marts", "satisfied_at_risk"]), "satisfied_but_leaving")
        in checks
    )


def test_nights_are_partitions_and_backfills_run_once_per_range(tmp_path):
    graph = _defs(tmp_path).resolve_asset_graph()
    for key in (
        ["raw", "crm", "accounts"],
        ["marts", "account_loyalty_history"],
        ["marts", "account_signal_history"],
    ):
        node = graph.get(dg.AssetKey(key))
        assert isinstance(node.partitions_def, dg.DailyPartitionsDefinition)
        assert node.backfill_policy == dg.BackfillPolicy.single_run()
    assert graph.get(dg.AssetKey(["marts", "account_loyalty_risk"])).partitions_def is None


def test_schedule_and_sensors_are_configured(tmp_path):
    config = RapportConfig(schedule=ScheduleConfig(cron="30 3 * * *", timezone="Europe/Berlin"))
    defs = _defs(tmp_path, config)
    schedule = defs.resolve_schedule_def("nightly_schedule")
    assert schedule.cron_schedule == "30 3 * * *"
    assert schedule.execution_timezone == "Europe/Berlin"
    for source in ("crm", "support", "surveys"):
        assert defs.resolve_sensor_def(f"{source}_deliveries").job_name == "nightly"
    default = _defs(tmp_path).resolve_schedule_def("nightly_schedule")
    assert (default.cron_schedule, default.execution_timezone) == ("0 2 * * *", "UTC")
