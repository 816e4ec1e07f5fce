"""Run the project's dbt outside Rapport (as a developer would) and read back what it did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from rapport.project import dbt_project_dir


@dataclass(frozen=True)
class DbtRun:
    returncode: int
    stdout: str
    results: list[dict]  # run_results.json's results
    manifest: dict

    @property
    def failures(self) -> list[str]:
        """`unique_id: message` of every node that neither succeeded nor passed."""
        return [
            f"{r['unique_id']}: {r['message']}"
            for r in self.results
            if r["status"] not in ("success", "pass")
        ]

    @property
    def ran(self) -> set[str]:
        return {r["unique_id"] for r in self.results}


def run_dbt(args: list[str], profiles: Path, dbt_vars: dict, work: Path) -> DbtRun:
    """`dbt <args>` on the project with the profiles in `profiles`; its target, logs and
    working folder under `work`."""
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            *args,
            "--project-dir",
            str(dbt_project_dir()),
            "--profiles-dir",
            str(profiles),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--vars",
            json.dumps(dbt_vars),
        ],
        capture_output=True,
        text=True,
        cwd=work,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    target = work / "target"
    return DbtRun(
        proc.returncode,
        proc.stdout,
        json.loads((target / "run_results.json").read_text())["results"],
        json.loads((target / "manifest.json").read_text()),
    )
