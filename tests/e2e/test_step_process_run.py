"""A run whose every night loads in the step's child process: the load's log lines reach
Dagster's event log as they happen, and no child process is left."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.execute import dagster_instance
from rapport.contract import SOURCES, objects_of
from rapport.quality import result_path
from tests.landing_builder import child_processes as _children
from tests.landing_builder import crm_night as _crm
from tests.landing_builder import write_delivery
from tests.pipeline_helpers import Installation

N1 = date(2026, 9, 1)


def test_a_run_logs_each_load_before_validating_and_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "rapport.toml"
    config.write_text("[ingest]\nisolate_above_mib = 0\n")  # every night in a child
    monkeypatch.setattr("rapport.config.default_config", lambda: config)
    inst = Installation(tmp_path / "landing", tmp_path / "warehouse.duckdb", tmp_path / "l.csv")
    _crm(inst.landing)
    write_delivery(inst.landing, "support", N1)
    write_delivery(inst.landing, "surveys", N1)
    assert inst.run("--release") == 0  # released: whatever the gate says of the bad row
    assert _children() == []

    with dagster_instance(inst.paths) as instance:
        run = instance.get_runs(limit=1)[0]
        entries = instance.all_logs(run.run_id)
    messages = {
        (e.step_key, e.user_message): e.timestamp
        for e in entries
        if e.dagster_event is None and e.step_key
    }
    checks = [
        e.dagster_event.event_specific_data
        for e in entries
        if e.dagster_event
        and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.step_key.startswith("ingest_")
    ]
    assert {c.check_name for c in checks} == {"contract_suite"}
    assert len(checks) == sum(len(objects_of(s)) for s in SOURCES)
    assert all(c.passed for c in checks)
    expected = {
        "crm": f"crm {N1}: 2 rows loaded, 1 quarantined, 0 file(s) rejected",
        "support": f"support {N1}: 0 rows loaded, 0 quarantined, 0 file(s) rejected",
        "surveys": f"surveys {N1}: 0 rows loaded, 0 quarantined, 0 file(s) rejected",
    }
    for source, line in expected.items():
        assert any(
            step == f"ingest_{source}" and text.endswith("loading in a child process")
            for step, text in messages
        )
        logged = messages[(f"ingest_{source}", line)]
        # in the event log when the load ended, before the validation wrote its results
        for obj in objects_of(source):
            validated = result_path(inst.paths.quality_dir, source, obj.name, N1)
            assert logged < validated.stat().st_mtime, (source, obj.name)
