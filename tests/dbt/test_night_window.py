"""The run's nights reach the models as dbt's event-time flags, the same on DuckDB and Spark,
and a new window reuses the parsed project (macros/night_window.sql, rapport.dbt_parse).

The shim project (tests/dbt/shim_project, the real macros copied in) builds `shim_windows`
three times in one target folder: two windows as flags, then a window as vars given by hand.
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

from rapport.config import EngineConfig
from rapport.dbt_parse import night_window_args
from rapport.engine import Engine
from rapport.paths import Paths
from rapport.project import dbt_project_dir

SHIM_PROJECT = Path(__file__).parent / "shim_project"
d = date.fromisoformat


class ShimBuilds:
    """`dbt build --select shim_windows` on DuckDB, in one project and target folder."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.project = tmp / "project"
        shutil.copytree(SHIM_PROJECT, self.project)
        shutil.copytree(dbt_project_dir() / "macros", self.project / "macros")
        self.paths = Paths.resolve(
            tmp / "warehouse.duckdb", landing=tmp / "landing", lake=tmp / "lake"
        )
        config = EngineConfig(name="duckdb")
        self.engine = Engine(config, self.paths, 1)
        self.profiles = tmp / "profiles"
        self.profiles.mkdir()
        (self.profiles / "profiles.yml").write_text(self.engine.profile())
        self.paths.build_db.parent.mkdir(parents=True, exist_ok=True)
        self.target = tmp / "target"

    def build(self, extra_vars: dict, extra: list[str]) -> list[dict]:
        """Builds; returns the structured log events of this invocation."""
        log = self.target / "dbt.log"
        seen = log.stat().st_size if log.exists() else 0
        proc = subprocess.run(
            [
                str(Path(sys.executable).with_name("dbt")),
                "build",
                "--select",
                "shim_windows",
                "--project-dir",
                str(self.project),
                "--profiles-dir",
                str(self.profiles),
                "--target-path",
                str(self.target),
                "--log-path",
                str(self.target),
                "--log-format-file",
                "json",
                "--vars",
                json.dumps({"lake_root": self.paths.lake.as_posix(), **extra_vars}),
                *extra,
            ],
            capture_output=True,
            text=True,
            cwd=self.tmp,
            env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )
        assert proc.returncode == 0, proc.stdout[-3000:]
        with log.open("rb") as f:
            f.seek(seen)
            return [json.loads(line) for line in f.read().decode().splitlines() if line]

    def in_window(self) -> list[date]:
        con = duckdb.connect()
        try:
            self.engine.attach_build(con, (("shims", "shim_windows"),))
            rows = con.execute(
                "select night from build.shims.shim_windows where in_window order by night"
            ).fetchall()
            return [r[0] for r in rows]
        finally:
            con.close()


def _codes(events: list[dict]) -> set[str]:
    return {e["info"]["code"] for e in events}


def test_the_window_as_flags_reuses_the_parse_and_vars_still_win(tmp_path):
    """On DuckDB: the macro reads dbt's flags in Jinja, the same on every adapter, and parsing
    is dbt-core's; on Spark the window's outcome is proven whole by
    tests/e2e/test_spark_same_answers.py (its runs pass the window as these flags), which
    saves four Spark sessions here (~100 s of the full lane)."""
    shims = ShimBuilds(tmp_path)
    first = shims.build({}, night_window_args(d("2026-10-02"), d("2026-10-03")))
    assert shims.in_window() == [d("2026-10-02"), d("2026-10-03")]
    assert "I017" not in _codes(first)  # the first build parses

    # another window, same vars: dbt skips parsing (I017) and gives no reason to re-parse (I024)
    second = shims.build({}, night_window_args(d("2026-10-04"), d("2026-10-04")))
    assert shims.in_window() == [d("2026-10-04")]
    assert "I017" in _codes(second) and "I024" not in _codes(second)

    # a dbt command run by hand may still pass the window as vars; they win over the flags
    shims.build(
        {"night_from": "2026-10-01", "night_to": "2026-10-01"},
        night_window_args(d("2026-10-04"), d("2026-10-04")),
    )
    assert shims.in_window() == [d("2026-10-01")]

    # no window at all: every night
    shims.build({}, [])
    assert shims.in_window() == [d("2026-10-0" + str(i)) for i in range(1, 5)]
