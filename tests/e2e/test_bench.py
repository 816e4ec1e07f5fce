"""The benchmark harness keeps working: a tiny scale, once, through the real pipeline and the
DuckDB-only floor. No timing assertions: only that every field is there and sane."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.common import BenchError
from bench.landing import accounts_of
from bench.report import TABLE_END, TABLE_START, render_table
from bench.run import run_bench

STAGES = (
    "ingest_s",
    "ingest_load_s",
    "ingest_gx_s",
    "ingest_report_s",
    "dbt_s",
    "checks_s",
    "publish_s",
    "run_s",
    "before_run_s",
    "after_run_s",
)
FLOOR_STAGES = ("ingest_s", "sql_s", "sql_models_s", "sql_tests_s", "publish_s", "total_s")


@pytest.mark.parametrize(
    ("scale", "accounts"), [("10k", 10_000), ("100K", 100_000), ("1m", 1_000_000), ("250", 250)]
)
def test_scales_are_numbers_of_accounts(scale: str, accounts: int) -> None:
    assert accounts_of(scale) == accounts


def test_a_scale_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(BenchError):
        accounts_of("large")


@pytest.mark.slow
def test_the_harness_measures_a_tiny_scale(tmp_path: Path) -> None:
    docs = tmp_path / "performance.md"
    docs.write_text(f"# Performance\n\n{TABLE_START}\nold\n{TABLE_END}\n\nfindings\n")
    out = tmp_path / "results"
    results = run_bench(
        ["200"], repeats=1, out_dir=out, work_dir=tmp_path / "work", docs=docs, log=lambda _: None
    )

    assert len(results) == 1
    files = list(out.glob("*-200.json"))
    assert len(files) == 1
    result = json.loads(files[0].read_text())
    assert result == results[0]
    assert result["scale"] == "200" and result["accounts"] == 200 and result["repeats"] == 1
    assert set(result["runs"]) == {"full", "incremental"}
    assert result["rows"]["full"]["crm.accounts"] > 0
    assert result["rows"]["full"]["crm.accounts"] > result["rows"]["incremental"]["crm.accounts"]
    assert result["versions"]["dbt-core"] and result["versions"]["duckdb"]
    assert result["machine"]["cores"] >= 1 and result["machine"]["memory_gib"] > 0

    for kind, run in result["runs"].items():
        rapport, floor = run["rapport"], run["floor"]
        for measured in (rapport, floor):
            assert measured["wall_s"] > 0
            assert measured["cpu_s"] > 0
            assert measured["peak_rss_bytes"] > 10 * 1024**2
        assert rapport["cpu_s"] > floor["cpu_s"], kind  # Dagster and dbt do more than DuckDB
        for stage in STAGES:
            assert rapport["stages"][stage] >= 0, (kind, stage)
        assert rapport["stages"]["run_s"] < rapport["wall_s"]
        assert 0 < max(rapport["peak_rss_bytes_by_stage"].values()) <= rapport["peak_rss_bytes"]
        assert rapport["dbt"]["nightly"]["nodes"] > 0 and rapport["dbt"]["current"]["nodes"] > 0
        for stage in FLOOR_STAGES:
            assert floor["stages"][stage] >= 0, (kind, stage)
        assert floor["stages"]["test_failures"] == 0
        # the floor computed the same marts Rapport published
        assert run["floor_output_matches"] is True
        assert floor["stages"]["published_rows"]["marts.account_loyalty_risk"] > 0
        assert run["ratio_to_floor"]["wall"] > 0
        assert len(run["samples"]["rapport"]) == 1

    text = docs.read_text()
    assert "old" not in text and text.endswith("findings\n")
    assert "| 200, 200 accounts |" in text and "| full | 1 |" in text
    assert render_table(results) in text
