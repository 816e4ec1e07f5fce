"""Making sure the dbt manifest exists and is current before the Dagster definitions load
(`@dbt_assets` reads it at import)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rapport.project import dbt_project_dir


def _newest_source(project: Path) -> float:
    paths = [project / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        paths.extend(p for p in (project / folder).rglob("*") if p.is_file())
    return max(p.stat().st_mtime for p in paths if p.exists())


def ensure_manifest(project: Path | None = None) -> Path:
    """Run `dbt parse` when target/manifest.json is missing or older than the project
    (default: the project Rapport runs, `rapport.project.dbt_project_dir()`)."""
    project = project or dbt_project_dir()
    manifest = project / "target" / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source(project):
        return manifest
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [
            str(dbt),
            "parse",
            "--quiet",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    if proc.returncode != 0 or not manifest.exists():
        raise RuntimeError(f"dbt parse failed: {(proc.stdout + proc.stderr).strip()[-2000:]}")
    return manifest
