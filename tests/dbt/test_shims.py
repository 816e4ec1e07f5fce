"""Each shim of dbt_project/macros/ gives the same answers on DuckDB and on Spark.

A small project (tests/dbt/shim_project) with the real macros copied in is built once per
engine (one `dbt build`, so one Spark session for the module); its tables are read back
the way Rapport reads marts: the DuckDB build file, or the Parquet Spark wrote under
`<lake>/warehouse/<schema>.db/`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from rapport.config import EngineSettings
from rapport.engine import Engine
from rapport.project import dbt_project_dir
from rapport.settings import Paths
from tests.engines import ENGINES

SHIM_PROJECT = Path(__file__).parent / "shim_project"
TABLES = (
    "shim_ordered_string_agg",
    "shim_mentions_any",
    "shim_windows",
    "quoted_values",
    "shim_cast_varchar",
)
NIGHT_WINDOW = {"night_from": "2026-10-02", "night_to": "2026-10-03"}


@pytest.fixture(scope="module", params=ENGINES)
def built(request, tmp_path_factory) -> dict[str, list[tuple]]:
    """Every table of the shim project, built on the engine, sorted rows by table."""
    tmp = tmp_path_factory.mktemp(f"shims_{request.param}")
    project = tmp / "project"
    shutil.copytree(SHIM_PROJECT, project)
    shutil.copytree(dbt_project_dir() / "macros", project / "macros")
    paths = Paths.resolve(tmp / "warehouse.duckdb", landing=tmp / "landing", lake=tmp / "lake")
    engine = Engine(EngineSettings(name=request.param, spark_shuffle_partitions=1), paths, 1)
    profiles = tmp / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text(engine.profile())
    paths.build_db.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(profiles),
            "--vars",
            json.dumps({"lake_root": paths.lake.as_posix(), **NIGHT_WINDOW}),
        ],
        capture_output=True,
        text=True,
        cwd=tmp,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    con = duckdb.connect()
    try:
        engine.attach_build(con, tuple(("shims", t) for t in TABLES))
        return {
            t: sorted(con.execute(f"select * from build.shims.{t}").fetchall(), key=repr)
            for t in TABLES
        }
    finally:
        con.close()


def test_ordered_string_agg_joins_in_the_given_order(built):
    assert built["shim_ordered_string_agg"] == [(1, "a, b, c"), (2, "x")]


def test_mentions_any_matches_keywords_literally_and_ignores_case(built):
    assert dict(built["shim_mentions_any"]) == {
        1: True,  # "competitor", any case
        2: False,
        3: False,  # no text
        4: True,  # a keyword with an apostrophe
        5: False,  # "a.b" is literal: the dot is no wildcard
        6: True,
        7: True,
    }


def test_valid_on_within_days_and_the_night_window(built):
    d = date.fromisoformat
    assert built["shim_windows"] == [
        (d("2026-10-01"), "v1", True, False),
        (d("2026-10-02"), "v1", False, True),
        (d("2026-10-03"), "v2", False, True),
        (d("2026-10-04"), "v2", False, False),
    ]


def test_seeds_keep_quotes_apostrophes_and_backslashes(built):
    assert built["quoted_values"] == [
        (1, "The account's owner"),
        (2, 'a "quoted" word'),
        (3, "back\\slash"),
        (4, None),
    ]


def test_a_varchar_contract_holds_on_both_engines(built):
    """Contracts say `varchar` (DuckDB's name); Spark refuses a varchar without a length,
    so spark__cast maps it to string where dbt checks the contract."""
    assert built["shim_cast_varchar"] == [("x", 1)]
