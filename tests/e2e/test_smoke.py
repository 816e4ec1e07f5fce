"""The fast lane's one end-to-end night: the `rapport` program runs a generated night through
real Dagster, dbt-duckdb, DuckDB and Great Expectations, and publishes the serving file."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.pipeline_helpers import (
    crm_current_accounts,
    delivered_files,
    generate,
    landing_records,
)

pytestmark = pytest.mark.smoke

NIGHT = date(2026, 9, 1)


def test_one_night_through_the_real_program(tmp_path: Path) -> None:
    inst = generate(tmp_path, 60, NIGHT, 1, seed=3)
    rapport = Path(sys.executable).with_name("rapport")
    proc = subprocess.run(
        [rapport, "run", "--landing", str(inst.landing), "--warehouse", str(inst.warehouse)],
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    assert proc.returncode == 0, proc.stderr
    assert f"ok: nights {NIGHT} .. {NIGHT}" in proc.stdout
    # nothing on stderr: no warning either (e.g. multiprocessing's "leaked semaphore")
    assert proc.stderr == ""

    # every delivered record is in the raw zone or in quarantine
    lake = inst.paths.lake
    for obj, night, path in delivered_files(inst.landing):
        rows = {}
        for zone in ("raw", "quarantine"):
            part = lake / zone / obj.source / obj.name / f"dt={night}" / "part-0.parquet"
            rows[zone] = duckdb.sql(f"select count(*) from read_parquet('{part}')").fetchall()[0][0]
        assert rows["raw"] + rows["quarantine"] == len(landing_records(path, obj)), obj.qualified
    # the published night: one risk row per current customer account, read by the program
    customers = {
        k for k, v in crm_current_accounts(inst.landing).items() if v["Type"] == "Customer"
    }
    risk = inst.serving_query("select account_id, as_of_date from marts.account_loyalty_risk")
    assert customers and {r[0] for r in risk} == customers
    assert {r[1] for r in risk} == {NIGHT}
    watchlist = subprocess.run(
        [rapport, "watchlist", "--warehouse", str(inst.warehouse), "--format", "csv"],
        capture_output=True,
        text=True,
    )
    assert watchlist.returncode == 0, watchlist.stderr
    assert watchlist.stdout.splitlines()[0].startswith("watchlist_rank,")
    # the run named the business check's flag (a WARN check: it never stops the night)
    flagged = len(list(csv.DictReader(io.StringIO(watchlist.stdout))))  # reasons: multi-line
    flag = "warning: marts/satisfied_at_risk satisfied_but_leaving: "
    if flagged:
        assert f"{flag}{flagged} of {len(customers)} customer accounts say" in proc.stdout
    else:
        assert flag not in proc.stdout
