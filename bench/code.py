"""The code under test: which checkout the measured processes import, and its bytecode."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from bench.common import PACKAGES, REPO, BenchError, Log
from bench.monitor import child_env

#: how measured processes get Python bytecode: set by `run_bench` (see `bytecode_env`)
BYTECODE: dict[str, str | None] = {}


def bytecode_env(work: Path, cold: bool) -> dict[str, str | None]:
    """Bytecode caching for the measured processes, as an installation has it.

    An installation compiles its modules once (pip does it at install, Python on first
    import), so a night imports cached bytecode. Where ``PYTHONDONTWRITEBYTECODE`` is set
    and nothing is compiled (``uv sync`` does not compile by default), every process would
    compile Dagster, dbt and Great Expectations from source again (about 5 s in the run
    process, 1 s in each dbt process): the cache then goes under ``<work>/pycache`` instead,
    leaving the environment untouched. ``cold`` measures that compile-every-time case.
    """
    if cold:
        return {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": None}
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return {"PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    return {}


def _bench_only() -> Path:
    """A folder whose only package is this repository's ``bench`` (a symbolic link)."""
    folder = REPO / "bench" / "work" / "benchpath"
    link = folder / "bench"
    if not link.is_symlink():
        folder.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO / "bench", target_is_directory=True)
    return folder


def source_env(source: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that makes subprocesses import Rapport from ``source`` (a checkout),
    ahead of the editable install, and the benchmark itself from this repository.

    Rapport and ``pipelines`` come from ``source``; this repository's root is not on the path
    (its ``pipelines`` would shadow the checkout's), only a folder holding a link to its
    ``bench`` package."""
    paths = [str(source / "src"), str(source), str(_bench_only())]
    env = child_env({"PYTHONPATH": os.pathsep.join(paths), **(extra or {})})
    for name, value in BYTECODE.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def checkout(ref: str, work: Path) -> Path:
    """A clean clone of commit ``ref`` of this repository under ``work``, to benchmark a
    fixed commit while the working tree changes (objects shared with this repository)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if sha.returncode != 0:
        raise BenchError(f"{ref!r} is not a commit of {REPO}")
    commit = sha.stdout.strip()
    target = work / "src" / commit[:12]
    if not (target / ".git").is_dir():
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        for argv in (
            ["git", "clone", "--quiet", "--shared", "--no-checkout", str(REPO), str(target)],
            ["git", "-C", str(target), "checkout", "--quiet", "--detach", commit],
        ):
            done = subprocess.run(argv, capture_output=True, text=True)
            if done.returncode != 0:
                raise BenchError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return target


#: imported once before measuring, so their bytecode is cached (see `bytecode_env`)
WARM_UP = (
    "from rapport.manifest import ensure_manifest; ensure_manifest(); "
    "import pipelines.cli, rapport.plan, rapport.generate, rapport.quality.validate, "
    "pipelines.defs, dbt.cli.main, dbt.task.build, dbt.adapters.duckdb, bench.floor"
)


def program(source: Path) -> str:
    """The module of the `rapport` program in ``source``: ``pipelines.cli`` since the layers
    were split (issue 12), ``rapport.cli`` in older commits (``--ref``)."""
    return "pipelines.cli" if (source / "pipelines" / "cli.py").is_file() else "rapport.cli"


def warm_up(source: Path) -> str:
    if program(source) == "pipelines.cli":
        return WARM_UP
    return WARM_UP.replace(
        "import pipelines.cli, rapport.plan,", "import rapport.cli, rapport.runner,"
    )


def prepare(source: Path, log: Log) -> None:
    """Parse the dbt project (a stale manifest would be parsed inside the first measured run)
    and import what the runs import once (their bytecode is then cached)."""
    log(f"code under test: {source} ({commit_of(source)})")
    done = subprocess.run(
        [sys.executable, "-c", warm_up(source)],
        env=source_env(source),
        cwd=source,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BenchError(f"warm-up failed: {(done.stdout + done.stderr).strip()[-2000:]}")


def versions(source: Path = REPO) -> dict:
    found = {"rapport": commit_of(source)}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def commit_of(source: Path = REPO) -> str | None:
    """The commit under test, ``+dirty`` when tracked files differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=source, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=source,
            capture_output=True,
            text=True,
        )
    except OSError:
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
