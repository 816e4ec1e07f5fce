"""The range scenarios of the benchmark keep working: a tiny backfill (one night loaded, then
two nights in one run) through the real pipeline and the DuckDB-only floor. No timing
assertions: only that the fields are there and the floor published what Rapport did."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bench.common import BenchError
from bench.ranges import SCENARIOS, bench_range, scenario_of
from bench.report import range_table, render_table


def test_range_specs_name_a_scenario_and_optionally_its_accounts() -> None:
    assert scenario_of("demo") == SCENARIOS["demo"]
    assert scenario_of("backfill@10k").accounts == 10_000
    assert scenario_of("backfill@10k").measured_nights == 7
    with pytest.raises(BenchError):
        scenario_of("yearly")


@pytest.mark.slow
def test_a_tiny_backfill_is_measured_against_its_floor(tmp_path: Path) -> None:
    tiny = replace(SCENARIOS["backfill"], accounts=150, days=3)
    result = bench_range(tiny, 1, tmp_path / "work", log=lambda _: None)
    json.dumps(result)  # what the result file holds
    assert result["scenario"]["nights"] == 2 and result["scenario"]["loaded_before"] == 1
    run = result["runs"]["range"]
    assert run["completed"] and run["floor_output_matches"] is True
    rapport, floor = run["rapport"], run["floor"]
    assert rapport["wall_s"] > 0 and rapport["cpu_s"] > floor["cpu_s"] > 0
    assert rapport["peak_rss_bytes"] > 10 * 1024**2
    stages = rapport["stages"]
    # the ingest's load phase comes from its materialization metadata, not from log wording
    assert 0 < stages["ingest_load_s"] < stages["ingest_s"]
    assert stages["dbt_steps"]["nightly"]["dbt_process_s"] > 0
    assert floor["stages"]["ingest_rows"]["crm.accounts"] == result["rows"]["range"]["crm.accounts"]
    assert result["targets"]["range_ratio_to_floor"]["limit"] == 1.5
    table = "\n".join(range_table([result]))
    assert "| backfill | 150 | 2 (2026-08-02 .. 2026-08-03, 1 loaded before)" in table
    assert "Ranges" in render_table([result])
