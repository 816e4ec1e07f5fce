"""The dbt project on its own, on fixtures: every dbt unit test (the YAML beside each model)
and every data test, by one `dbt build --empty` over an empty raw zone. No Dagster, no
ingest: the SQL logic's own properties live in those unit tests, and a night's `dbt build`
does not run them (docs/decisions.md, "Unit tests in CI, not in every night"). On Spark they
run against the models of a real run (tests/e2e/test_spark_same_answers.py): Spark cannot
read an empty raw zone (it skips the `_schema` folders, as every folder starting with `_`)."""

from __future__ import annotations

from pathlib import Path

from rapport.config import EngineConfig
from rapport.engine import Engine
from rapport.ingest.raw_tables import ensure_delivery_schema, ensure_schema_partitions
from rapport.overrides import ensure_active
from rapport.paths import Paths
from tests.dbt_cli import run_dbt


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
    run = run_dbt(
        ["build", "--empty"],
        profiles,
        {"lake_root": lake.as_posix(), "records_root": paths.records_dir.as_posix()},
        tmp_path,
    )
    assert not run.failures and run.returncode == 0, "\n".join(run.failures) or run.stdout[-3000:]
    assert run.manifest["unit_tests"] and set(run.manifest["unit_tests"]) <= run.ran
