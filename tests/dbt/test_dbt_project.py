"""The dbt project on its own, on fixtures: every dbt unit test (the YAML beside each model)
and every data test, by one `dbt build --empty` over an empty raw zone. No Dagster, no
ingest: the SQL logic's own properties live in those unit tests, and a night's `dbt build`
does not run them (docs/decisions.md, "Unit tests in CI, not in every night"). On Spark they
run against the models of a real run (tests/e2e/test_spark_same_answers.py): Spark cannot
read an empty raw zone (it skips the `_schema` folders, as every folder starting with `_`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rapport.config import EngineConfig
from rapport.engine import Engine
from rapport.ingest.raw_tables import ensure_delivery_schema, ensure_schema_partitions
from rapport.overrides import ensure_active
from rapport.paths import Paths
from rapport.project import dbt_project_dir


def test_every_unit_test_passes_and_every_model_builds_on_an_empty_raw_zone(
    tmp_path: Path,
) -> None:
    paths = Paths.resolve(tmp_path / "warehouse.duckdb", landing=tmp_path / "landing")
    lake = paths.lake
    ensure_schema_partitions(lake)
    ensure_delivery_schema(lake)
    ensure_active(paths.records_dir)  # no override: an empty overrides.parquet
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text(Engine(EngineConfig(), paths, 1).profile())
    paths.build_db.parent.mkdir(parents=True, exist_ok=True)
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [
            str(dbt),
            "build",
            "--empty",
            "--project-dir",
            str(dbt_project_dir()),
            "--profiles-dir",
            str(profiles),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--vars",
            json.dumps(
                {"lake_root": lake.as_posix(), "records_root": paths.records_dir.as_posix()}
            ),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    failed = [
        f"{r['unique_id']}: {r['message']}"
        for r in results
        if r["status"] not in ("success", "pass")
    ]
    assert not failed and proc.returncode == 0, "\n".join(failed) or proc.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    ran = {r["unique_id"] for r in results}
    assert manifest["unit_tests"] and set(manifest["unit_tests"]) <= ran
