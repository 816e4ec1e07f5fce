"""An installed wheel works outside the checkout: `uv build`, install into a fresh venv,
then that venv's `rapport` generates a tiny landing and runs it (the package carries its
dbt project and rapport.toml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

CHECKOUT = Path(__file__).resolve().parents[2]


def _uv() -> str:
    uv = shutil.which("uv") or str(CHECKOUT / ".tools" / "bin" / "uv")
    assert Path(uv).exists(), "uv is needed (make install puts it in .tools/bin)"
    return uv


def _ok(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, f"{' '.join(args)}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}"
    return proc.stdout


def test_an_installed_wheel_runs_a_night_outside_the_checkout(tmp_path: Path) -> None:
    uv = _uv()
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    _ok([uv, "build", "--quiet", "-o", str(dist)], CHECKOUT)
    [wheel] = dist.glob("rapport-*.whl")
    requirements = tmp_path / "requirements.txt"
    _ok(
        [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet"]
        + ["-o", str(requirements)],
        CHECKOUT,
    )
    _ok([uv, "venv", "--quiet", str(venv), "--python", sys.executable], work)
    python = venv / "bin" / "python"
    _ok(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "-r",
            str(requirements),
            str(wheel),
        ],
        work,
    )

    rapport = str(venv / "bin" / "rapport")
    _ok(
        [rapport, "generate", "--out", "landing", "--accounts", "30"]
        + ["--start", "2026-09-01", "--days", "1"],
        work,
    )
    # the installation's own settings live outside the package: --config names them
    (work / "rapport.toml").write_text("[money]\ncurrency = 'USD'\n", encoding="utf-8")
    out = _ok(
        [rapport, "--config", "rapport.toml", "run"]
        + ["--landing", "landing", "--warehouse", "warehouse.duckdb"],
        work,
    )
    assert "ok: nights 2026-09-01 .. 2026-09-01" in out
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select currency from rapport.publication").fetchall() == [("USD",)]
    watchlist = _ok(
        [rapport, "watchlist", "--warehouse", "warehouse.duckdb", "--format", "csv"], work
    )
    assert watchlist.startswith("watchlist_rank,")
    # the project the run used is the installed one, not the checkout's
    [dbt_project] = (venv / "lib").glob("python3*/site-packages/rapport/dbt_project")
    assert (dbt_project / "target" / "manifest.json").exists()
