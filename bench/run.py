"""The benchmark: how long a night takes at a given size, and how much of it is the tool.

For each scale (customer accounts) it generates a landing with the demo generator (two
nightly deliveries: the full load and one night of changes), then measures, ``repeats``
times each, with the median reported:

- the **first full night**: ``rapport run --date <start>`` on a fresh installation (new
  warehouse, lake and Dagster instance);
- a **typical incremental night**: ``rapport run --date <start + 1>`` on a copy of the state
  the first full night left (each repetition starts from the same state);
- for each of them the **floor** (``bench.floor``): the same work done by DuckDB alone,
  measured the same way, right after the Rapport run it mirrors.

Rapport and the floor run as subprocesses; wall time, CPU time (user + system) and the peak
resident memory of the process tree are measured from outside (``bench.monitor``). The
stages come from the Dagster event log (step start and success events, and the ingest's
and dagster-dbt's log messages inside the steps) and dbt's ``run_results.json``.

Results: ``<out_dir>/<date>-<scale>.json``, and the table in ``docs/performance.md``
(between its ``bench:table`` markers) when ``--docs`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import psutil

from bench.monitor import Measured, child_env, measure

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORK = REPO / "bench" / "work"
DEFAULT_OUT = REPO / "bench" / "results"
DEFAULT_DOCS = REPO / "docs" / "performance.md"
START = date(2026, 10, 1)
DAYS = 2  # the full load and one night of changes
SEED = 7
LARGE = 1_000_000  # scales from here on run `large_repeats` times
GIB = 1024**3
PACKAGES = (
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "polars",
    "great-expectations",
    "pyarrow",
    "psutil",
)
#: targets on the reference machine (the issue): scale -> checks
TARGETS = {
    "100k": {"full_wall_s": 180, "incremental_wall_s": 30, "ratio_to_floor": 1.3},
    "1m": {"completes": True, "peak_rss_gib": 8, "ratio_to_floor": 1.3},
}
TABLE_START = "<!-- bench:table:start -->"
TABLE_END = "<!-- bench:table:end -->"
RUN_ID = re.compile(r"Dagster run ([0-9a-f-]{36})")

Log = Callable[[str], None]


class BenchError(RuntimeError):
    pass


# --- the code under test ------------------------------------------------------------------


#: how measured processes get Python bytecode: set by `run_bench` (see `bytecode_env`)
_BYTECODE: dict[str, str | None] = {}


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


def source_env(source: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that makes subprocesses import Rapport from ``source`` (a checkout),
    ahead of the editable install, and the benchmark itself from this repository."""
    paths = [str(REPO), str(source / "src"), str(source)]
    env = child_env({"PYTHONPATH": os.pathsep.join(paths), **(extra or {})})
    for name, value in _BYTECODE.items():
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


def prepare(source: Path, log: Log) -> None:
    """Parse the dbt project (a stale manifest would be parsed inside the first measured run)
    and import what the runs import once (their bytecode is then cached)."""
    log(f"code under test: {source} ({_commit(source)})")
    done = subprocess.run(
        [sys.executable, "-c", WARM_UP],
        env=source_env(source),
        cwd=source,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BenchError(f"warm-up failed: {(done.stdout + done.stderr).strip()[-2000:]}")


# --- scales and the landing ---------------------------------------------------------------


def accounts_of(scale: str) -> int:
    """``10k`` -> 10000, ``1m`` -> 1000000, ``2500`` -> 2500."""
    text = scale.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    try:
        accounts = int(float(number) * factor)
    except ValueError:
        raise BenchError(
            f"scale {scale!r} is not a number of accounts like 10k, 1m, 2500"
        ) from None
    if accounts < 1:
        raise BenchError(f"scale {scale!r} must be at least one account")
    return accounts


def ensure_landing(folder: Path, accounts: int, source: Path, log: Log) -> dict:
    """The demo landing for ``accounts`` (generated once, reused while the generator's
    arguments are the same); returns what ``rapport generate`` reported and how long it took."""
    stamp = folder / "landing.json"
    wanted = {"accounts": accounts, "start": START.isoformat(), "days": DAYS, "seed": SEED}
    if stamp.is_file():
        known = json.loads(stamp.read_text(encoding="utf-8"))
        if known.get("arguments") == wanted and (folder / "landing").is_dir():
            log(f"  landing: reusing {folder / 'landing'} (generated in {known['seconds']} s)")
            return known
    shutil.rmtree(folder / "landing", ignore_errors=True)
    stamp.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    log(f"  landing: generating {accounts:,} accounts x {DAYS} nights")
    argv = [
        *_rapport(),
        "generate",
        "--out",
        str(folder / "landing"),
        "--accounts",
        str(accounts),
        "--start",
        START.isoformat(),
        "--days",
        str(DAYS),
        "--seed",
        str(SEED),
        "--labels",
        str(folder / "labels.csv"),
    ]
    measured = measure(argv, env=source_env(source), cwd=source, log=folder / "generate.log")
    if measured.returncode != 0:
        raise BenchError(f"rapport generate failed: {_tail(folder / 'generate.log')}")
    known = {
        "arguments": wanted,
        "seconds": measured.wall_s,
        "peak_rss_bytes": measured.peak_rss_bytes,
        "bytes": _size(folder / "landing"),
        "generated_at": _now(),
    }
    stamp.write_text(json.dumps(known, indent=1) + "\n", encoding="utf-8")
    return known


# --- one measured Rapport night ---------------------------------------------------------------


def _rapport(variant: str | None = None) -> list[str]:
    if variant:  # a diagnostic variant (bench.whatif): never counts for a target
        return [sys.executable, "-m", "bench.whatif", variant]
    return [sys.executable, "-m", "pipelines.cli"]


def _install(root: Path) -> dict[str, Path]:
    return {
        "warehouse": root / "wh" / "warehouse.duckdb",
        "lake": root / "wh" / "lake",
        "dagster": root / "dagster",
    }


class RunFailed(BenchError):
    """A measured night that did not complete; ``measured`` holds how far it got."""

    def __init__(self, message: str, measured: dict) -> None:
        super().__init__(message)
        self.measured = measured


def rapport_night(
    landing: Path,
    root: Path,
    night: date,
    source: Path,
    max_rss: int | None = None,
    variant: str | None = None,
) -> dict:
    """``rapport run --date night`` over the installation in ``root``, measured. Raises
    `RunFailed` when the run fails or passes ``max_rss`` bytes."""
    where = _install(root)
    where["dagster"].mkdir(parents=True, exist_ok=True)
    argv = [
        *_rapport(variant),
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(where["warehouse"]),
        "--lake",
        str(where["lake"]),
        "--date",
        night.isoformat(),
    ]
    log = root / f"run-{night.isoformat()}.log"
    env = source_env(source, {"DAGSTER_HOME": str(where["dagster"])})
    measured = measure(argv, env=env, cwd=source, log=log, max_rss_bytes=max_rss)
    started = measured.started_at
    ended = started + measured.wall_s
    try:
        stages, windows = dagster_stages(where["dagster"], _run_id(log), started, ended)
    except BenchError:
        if measured.returncode == 0:
            raise
        stages, windows = {}, {}
    dbt = {step: dbt_results(where["lake"] / "build" / "dbt_target" / step) for step in DBT_STEPS}
    result = {
        **_process(measured),
        "peak_rss_bytes_by_stage": {
            name: max((measured.peak_between(*w) for w in spans), default=0)
            for name, spans in windows.items()
        },
        "stages": stages,
        "dbt": dbt,
        "sizes": {
            "raw_zone_bytes": _size(where["lake"] / "raw"),
            "build_db_bytes": _size(where["lake"] / "build" / "rapport_build.duckdb"),
            "serving_bytes": _size(where["warehouse"]),
        },
    }
    if measured.killed_over_rss:
        cap = (max_rss or 0) / GIB
        raise RunFailed(f"stopped: the process tree passed {cap:.1f} GiB of RSS", result)
    if measured.returncode != 0:
        raise RunFailed(f"rapport run failed ({root}): {_tail(log, 3)}", result)
    return result


def _process(m: Measured) -> dict:
    return {
        "wall_s": m.wall_s,
        "cpu_s": round(m.cpu_s, 3),
        "cpu_user_s": m.cpu_user_s,
        "cpu_system_s": m.cpu_system_s,
        "peak_rss_bytes": m.peak_rss_bytes,
        "max_process_rss_bytes": m.max_process_rss_bytes,
        "rss_samples": m.samples,
    }


def _run_id(log: Path) -> str | None:
    """The run id `rapport run` printed (None: the newest run of the instance)."""
    found = RUN_ID.findall(log.read_text(encoding="utf-8", errors="replace"))
    return found[-1] if found else None


INGEST_STEPS = ("ingest_crm", "ingest_support", "ingest_surveys")
DBT_STEPS = ("nightly", "current")
PUBLISH_STEP = "serving__warehouse"


def dagster_stages(
    home: Path, run_id: str | None, started: float, ended: float
) -> tuple[dict, dict[str, list[tuple[float, float]]]]:
    """Stage times from the run's Dagster event log (seconds), and the (start, end) epoch
    times of each stage (for the memory peak of each)."""
    from dagster import DagsterEventType, DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        if run_id is None:
            runs = instance.get_runs(limit=1)
            if not runs:
                raise BenchError(f"no Dagster run in {home}")
            run_id = runs[0].run_id
        entries = instance.all_logs(run_id)
    first = entries[0].timestamp if entries else started
    run_start = run_end = None
    steps: dict[str, dict[str, float]] = {}
    messages: dict[str, list[tuple[float, str]]] = {}
    for e in entries:
        kind = e.dagster_event.event_type if e.dagster_event else None
        if kind == DagsterEventType.RUN_START:
            run_start = e.timestamp
        elif kind in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE):
            run_end = e.timestamp
        elif kind == DagsterEventType.STEP_START:
            steps.setdefault(e.step_key, {})["start"] = e.timestamp
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            steps.setdefault(e.step_key, {})["end"] = e.timestamp
        elif kind is None and e.step_key:
            messages.setdefault(e.step_key, []).append((e.timestamp, e.user_message or ""))
    if run_start is None:
        raise BenchError(f"run {run_id} has no start event in {home}")
    if run_end is None:  # killed: the steps that ended are still measured
        run_end = ended
    for s in steps.values():
        s.setdefault("start", run_end)
        s.setdefault("end", run_end)

    def took(key: str) -> float:
        s = steps.get(key, {})
        return s["end"] - s["start"] if "start" in s and "end" in s else 0.0

    def last_message(key: str, text: str) -> float | None:
        times = [t for t, m in messages.get(key, []) if text in m]
        return max(times) if times else None

    ingest_load = ingest_gx = 0.0
    load_spans: list[tuple[float, float]] = []
    gx_spans: list[tuple[float, float]] = []
    for key in INGEST_STEPS:
        if key not in steps:
            continue
        loaded = last_message(key, "rows loaded")
        if loaded is None:  # nothing loaded: the whole step is bookkeeping and checks
            ingest_gx += took(key)
            gx_spans.append((steps[key]["start"], steps[key]["end"]))
            continue
        ingest_load += loaded - steps[key]["start"]
        ingest_gx += steps[key]["end"] - loaded
        load_spans.append((steps[key]["start"], loaded))
        gx_spans.append((loaded, steps[key]["end"]))
    dbt: dict[str, dict[str, float]] = {}
    for step in DBT_STEPS:
        key = f"{step}_models"
        running = last_message(key, "Running dbt command")
        finished = last_message(key, "Finished dbt command")
        dbt[step] = {"step_s": took(key)}
        if running is not None and finished is not None:
            dbt[step]["before_dbt_s"] = running - steps[key]["start"]
            dbt[step]["dbt_process_s"] = finished - running
            dbt[step]["after_dbt_s"] = steps[key]["end"] - finished
    checks = sum(took(k) for k in steps if k.endswith("satisfied_but_leaving"))
    in_steps = sum(took(k) for k in steps)
    stages = {
        "ingest_s": sum(took(k) for k in INGEST_STEPS),
        "ingest_load_s": ingest_load,
        "ingest_gx_s": ingest_gx,
        "dbt_s": sum(d["step_s"] for d in dbt.values()),
        "dbt_steps": dbt,
        "checks_s": checks,
        "publish_s": took(PUBLISH_STEP),
        "run_s": run_end - run_start,
        "before_run_s": first - started,  # interpreter, imports, definitions, instance, plan
        "run_setup_s": run_start - first,  # the run record and its planned materializations
        "between_steps_s": (run_end - run_start) - in_steps,
        "after_run_s": ended - run_end,
    }
    windows = {"before_run": [(started, first)], "ingest_load": load_spans, "ingest_gx": gx_spans}
    groups = {
        "dbt_nightly": ("nightly_models",),
        "dbt_current": ("current_models",),
        "checks": tuple(k for k in steps if k.endswith("satisfied_but_leaving")),
        "publish": (PUBLISH_STEP,),
    }
    for name, keys in groups.items():
        found = [steps[k] for k in keys if k in steps]
        if found:
            windows[name] = [(min(s["start"] for s in found), max(s["end"] for s in found))]
    windows["after_run"] = [(run_end, ended)]
    return _rounded(stages), windows


def dbt_results(target: Path) -> dict:
    """dbt's own account of one `dbt build`: its elapsed time and node times by kind."""
    path = target / "run_results.json"
    if not path.is_file():
        return {}
    results = json.loads(path.read_text(encoding="utf-8"))
    by_kind: dict[str, float] = {}
    nodes = []
    for r in results["results"]:
        kind = r["unique_id"].split(".", 1)[0]
        by_kind[kind] = by_kind.get(kind, 0.0) + (r.get("execution_time") or 0.0)
        nodes.append((r.get("execution_time") or 0.0, r["unique_id"]))
    nodes.sort(reverse=True)
    return _rounded(
        {
            "elapsed_s": results.get("elapsed_time") or 0.0,
            "node_s": {f"{k}_s": v for k, v in sorted(by_kind.items())},
            "nodes": len(nodes),
            "slowest": [{"node": n, "seconds": s} for s, n in nodes[:5]],
        }
    )


# --- one measured floor night -------------------------------------------------------------------


def floor_night(
    landing: Path,
    rapport_root: Path,
    root: Path,
    night: date,
    base_build: Path | None,
    source: Path,
) -> dict:
    """The floor of the night Rapport just ran in ``rapport_root`` (``python -m bench.floor``
    in a subprocess), starting from ``base_build`` (the build warehouse before the night)."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    build = root / "build" / "rapport_build.duckdb"
    build.parent.mkdir(parents=True)
    if base_build is not None:
        shutil.copyfile(base_build, build)
    targets = _install(rapport_root)["lake"] / "build" / "dbt_target"
    result = root / "floor.json"
    argv = [
        sys.executable,
        "-m",
        "bench.floor",
        "--landing",
        str(landing),
        "--night",
        night.isoformat(),
        *(a for step in DBT_STEPS for a in ("--dbt-target", str(targets / step))),
        "--build-db",
        str(build),
        "--serving",
        str(root / "serving.duckdb"),
        "--ingest-out",
        str(root / "lake"),
        "--json",
        str(result),
    ]
    log = root / "floor.log"
    measured = measure(argv, env=source_env(source), cwd=REPO, log=log)
    if measured.returncode != 0:
        raise BenchError(f"floor failed ({root}): {_tail(log)}")
    inside = json.loads(result.read_text(encoding="utf-8"))
    nodes = sorted(inside.pop("nodes", []), key=lambda n: -n["seconds"])
    inside["slowest"] = nodes[:5]
    return {**_process(measured), "stages": inside}


def serving_rows(warehouse: Path, tables: Sequence[str]) -> dict[str, int]:
    """Rows of the given tables of a published warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in tables}
    finally:
        con.close()


def delivered_rows(lake: Path, night: date) -> dict[str, int]:
    """Rows read per object for the night, from the ingest's manifests."""
    rows: dict[str, int] = {}
    for source_dir in sorted((lake / "manifests").glob("*")):
        path = source_dir / f"dt={night.isoformat()}.json"
        if path.is_file():
            manifest = json.loads(path.read_text(encoding="utf-8"))
            for name, obj in sorted(manifest["objects"].items()):
                rows[f"{manifest['source']}.{name}"] = obj["rows_read"]
    return rows


# --- one scale -------------------------------------------------------------------------------------


def bench_scale(
    scale: str,
    repeats: int,
    work: Path,
    kinds: Sequence[str] = ("full", "incremental"),
    keep: bool = False,
    source: Path = REPO,
    max_rss: int | None = None,
    variant: str | None = None,
    log: Log = print,
) -> dict:
    accounts = accounts_of(scale)
    folder = work / scale
    log(f"scale {scale}: {accounts:,} accounts, {repeats} repetition(s)")
    generated = ensure_landing(folder, accounts, source, log)
    landing = folder / "landing"
    nights = {"full": START, "incremental": START + timedelta(days=1)}
    # Every night runs in the same folder: an installation does not move, and its paths are
    # in dbt's profile and vars (a changed path would cost dbt's partial parsing).
    root = folder / "install"
    base = folder / "base"  # a copy of the state the first full night leaves
    shutil.rmtree(base, ignore_errors=True)
    runs: dict[str, dict] = {}
    failures: dict[str, dict] = {}
    rows: dict[str, dict[str, int]] = {}
    load = {"before": list(os.getloadavg())}
    for kind in ("full", "incremental"):
        if kind not in kinds and not (kind == "full" and "incremental" in kinds):
            continue
        samples, floors, matches = [], [], []
        count = repeats if kind in kinds else 1  # the base for incremental nights only
        for i in range(count):
            shutil.rmtree(root, ignore_errors=True)
            if kind == "incremental":
                shutil.copytree(base, root, symlinks=True)
            log(f"  {kind} night {i + 1}/{count}: rapport run --date {nights[kind]}")
            try:
                measured = rapport_night(landing, root, nights[kind], source, max_rss, variant)
            except RunFailed as failed:
                log(f"    FAILED: {failed}")
                rows.setdefault(kind, delivered_rows(_install(root)["lake"], nights[kind]))
                failures[kind] = {
                    "completed": False,
                    "failure": str(failed),
                    "repetition": i + 1,
                    "rapport": failed.measured,
                }
                break
            log(
                f"    rapport {measured['wall_s']:.1f} s wall, {measured['cpu_s']:.1f} s CPU, "
                f"peak {measured['peak_rss_bytes'] / GIB:.2f} GiB"
            )
            base_build = None
            if kind == "incremental":
                base_build = _install(base)["lake"] / "build" / "rapport_build.duckdb"
            floor = floor_night(
                landing, root, folder / f"floor-{kind}-{i}", nights[kind], base_build, source
            )
            log(
                f"    floor   {floor['wall_s']:.1f} s wall, {floor['cpu_s']:.1f} s CPU, "
                f"peak {floor['peak_rss_bytes'] / GIB:.2f} GiB"
            )
            floor_rows = floor["stages"]["published_rows"]
            published = serving_rows(_install(root)["warehouse"], list(floor_rows))
            matches.append(published == floor_rows)
            measured["published_rows"] = published
            samples.append(measured)
            floors.append(floor)
            if i == 0:
                rows[kind] = delivered_rows(_install(root)["lake"], nights[kind])
            shutil.rmtree(folder / f"floor-{kind}-{i}", ignore_errors=True)
            if kind == "full" and i == 0 and "incremental" in kinds:
                shutil.copytree(root, base, symlinks=True)
        if kind in failures:
            runs[kind] = failures[kind]
            break  # nothing to build an incremental night on
        if kind in kinds:
            runs[kind] = _summary(samples, floors, matches)
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)
    load["after"] = list(os.getloadavg())
    result = {
        "schema": 1,
        "date": datetime.now(UTC).date().isoformat(),
        "finished_at": _now(),
        "scale": scale,
        "variant": variant,
        "accounts": accounts,
        "repeats": repeats,
        "landing": {
            "start": START.isoformat(),
            "days": DAYS,
            "seed": SEED,
            "bytes": generated["bytes"],
            "generate_s": generated["seconds"],
            "generate_peak_rss_bytes": generated.get("peak_rss_bytes"),
        },
        "rows": rows,
        "machine": machine(),
        "load_average": load,
        "versions": versions(source),
        "floor_definition": (
            "DuckDB alone: read_csv/read_json of the night's files to Parquet; the SQL dbt "
            "compiled for the run (models, seed, data tests; no unit tests) in dependency "
            "order in one connection; ATTACH + CREATE TABLE AS publish"
        ),
        "runs": runs,
    }
    result["targets"] = check_targets(result)
    return result


def _summary(samples: list[dict], floors: list[dict], matches: list[bool]) -> dict:
    rapport, floor = _median(samples), _median(floors)
    rs, fs = rapport["stages"], floor["stages"]
    ratio = {
        "wall": _ratio(rapport["wall_s"], floor["wall_s"]),
        "cpu": _ratio(rapport["cpu_s"], floor["cpu_s"]),
        "peak_rss": _ratio(rapport["peak_rss_bytes"], floor["peak_rss_bytes"]),
        "ingest": _ratio(rs["ingest_s"], fs["ingest_s"]),
        "dbt": _ratio(rs["dbt_s"], fs["sql_s"]),
        "publish": _ratio(rs["publish_s"], fs["publish_s"]),
    }
    return {
        "completed": True,
        "rapport": rapport,
        "floor": floor,
        "ratio_to_floor": ratio,
        "floor_output_matches": all(matches),
        "samples": {"rapport": samples, "floor": floors},
    }


def check_targets(result: dict) -> dict:
    """The issue's targets for this scale, met or not (none for other scales)."""
    targets = TARGETS.get(result["scale"].lower())
    if not targets or result.get("variant"):
        return {}
    runs = result["runs"]
    checks: dict[str, dict] = {}
    full, incr = runs.get("full"), runs.get("incremental")
    if "full_wall_s" in targets and full and _completed(full):
        value = full["rapport"]["wall_s"]
        checks["full_night_wall_s"] = _target(value, targets["full_wall_s"])
    if "incremental_wall_s" in targets and incr and _completed(incr):
        value = incr["rapport"]["wall_s"]
        checks["incremental_night_wall_s"] = _target(value, targets["incremental_wall_s"])
    if "completes" in targets:
        done = bool(runs) and all(_completed(r) for r in runs.values())
        checks["completes"] = {"value": done, "limit": True, "met": done}
    if "peak_rss_gib" in targets:
        peak = max((r["rapport"]["peak_rss_bytes"] for r in runs.values()), default=0) / GIB
        checks["peak_rss_gib"] = _target(round(peak, 3), targets["peak_rss_gib"])
    for kind, run in runs.items():
        if _completed(run):
            checks[f"{kind}_ratio_to_floor"] = _target(
                run["ratio_to_floor"]["wall"], targets["ratio_to_floor"]
            )
    return checks


def _completed(run: dict) -> bool:
    return bool(run.get("completed", "floor" in run))


def _target(value: float, limit: float) -> dict:
    return {"value": value, "limit": limit, "met": value < limit}


# --- the whole benchmark ----------------------------------------------------------------------


def run_bench(
    scales: Sequence[str],
    repeats: int = 3,
    out_dir: Path = DEFAULT_OUT,
    *,
    work_dir: Path = DEFAULT_WORK,
    large_repeats: int = 1,
    kinds: Sequence[str] = ("full", "incremental"),
    docs: Path | None = None,
    keep: bool = False,
    ref: str | None = None,
    cold_imports: bool = False,
    max_rss_gib: float | None = None,
    variant: str | None = None,
    log: Log = print,
) -> list[dict]:
    """Benchmark each scale; write ``<out_dir>/<date>-<scale>.json`` for each and, with
    ``docs``, the results table in that file. Returns the results."""
    if repeats < 1 or large_repeats < 1:
        raise BenchError("repetitions must be at least 1")
    unknown = set(kinds) - {"full", "incremental"}
    if unknown or not kinds:
        raise BenchError(f"kinds are full and incremental, not {sorted(unknown) or 'none'}")
    for scale in scales:
        accounts_of(scale)  # a bad scale fails before anything runs
    source = checkout(ref, work_dir) if ref else REPO
    _BYTECODE.clear()
    _BYTECODE.update(bytecode_env(work_dir, cold_imports))
    prepare(source, log)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in scales:
        n = large_repeats if accounts_of(scale) >= LARGE else repeats
        max_rss = int(max_rss_gib * GIB) if max_rss_gib else None
        result = bench_scale(
            scale,
            n,
            work_dir,
            kinds=kinds,
            keep=keep,
            source=source,
            max_rss=max_rss,
            variant=variant,
            log=log,
        )
        result["max_rss_gib"] = max_rss_gib
        result["bytecode"] = "compiled on every import" if cold_imports else "cached"
        path = out_dir / _file_name(result)
        path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        log(f"  wrote {path}")
        log(summary_line(result))
        results.append(result)
    if docs is not None:
        update_docs(docs, out_dir)
        log(f"updated the table in {docs}")
    return results


# --- the report ----------------------------------------------------------------------------------


def summary_line(result: dict) -> str:
    parts = [f"{_label(result)}:"]
    for kind, run in result["runs"].items():
        if not _completed(run):
            parts.append(f"{kind} did not complete ({run['failure']})")
            continue
        parts.append(
            f"{kind} {run['rapport']['wall_s']:.1f} s (floor {run['floor']['wall_s']:.1f} s, "
            f"x{run['ratio_to_floor']['wall']:.1f}, peak "
            f"{run['rapport']['peak_rss_bytes'] / GIB:.2f} GiB)"
        )
    missed = [k for k, v in result.get("targets", {}).items() if not v["met"]]
    if result.get("targets"):
        parts.append("targets: " + ("all met" if not missed else "missed " + ", ".join(missed)))
    return " ".join(parts)


def latest_results(out_dir: Path) -> list[dict]:
    """The newest result file of each scale, smallest scale first."""
    newest: dict[str, tuple[str, dict]] = {}
    for path in sorted(out_dir.glob("*.json")):
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if not isinstance(result, dict) or result.get("schema") != 1:
            continue
        key = (result.get("finished_at") or "", path.name)
        which = (result["scale"], result.get("variant") or "")
        known = newest.get(which)
        if known is None or key > known[0]:
            newest[which] = (key, result)
    return sorted(
        (r for _, r in newest.values()), key=lambda r: (r["accounts"], r.get("variant") or "")
    )


def _file_name(result: dict) -> str:
    suffix = f"-{result['variant']}" if result.get("variant") else ""
    return f"{result['date']}-{result['scale']}{suffix}.json"


def _label(result: dict) -> str:
    variant = result.get("variant")
    return f"{result['scale']} ({variant}, diagnostic)" if variant else result["scale"]


def _s(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _gib(value: float) -> str:
    return f"{value / GIB:.2f}"


def render_table(results: list[dict]) -> str:
    """Markdown: one row per scale and night, then the stages and the rows per object.
    Diagnostic variants (``--variant``) are left out: their files say what they measured."""
    results = [r for r in results if not r.get("variant")]
    lines = [
        "| scale | commit | night | reps | wall s | CPU s | peak GiB | floor wall s "
        "| floor peak GiB | ratio to floor | ingest s (GX) | dbt s | checks s | publish s "
        "| outside steps s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, run in r["runs"].items():
            if not _completed(run):
                ra = run["rapport"]
                lines.append(
                    f"| {_label(r)}, {r['accounts']:,} accounts | {r['versions']['rapport']} "
                    f"| {kind} | - "
                    f"| did not complete: {run['failure']} (after {_s(ra['wall_s'])} s, peak "
                    f"{_gib(ra['peak_rss_bytes'])} GiB) |" + " |" * 10
                )
                continue
            ra, fl, st = run["rapport"], run["floor"], run["rapport"]["stages"]
            outside = (
                st["before_run_s"] + st["run_setup_s"] + st["between_steps_s"] + st["after_run_s"]
            )
            lines.append(
                f"| {_label(r)}, {r['accounts']:,} accounts | {r['versions']['rapport']} "
                f"| {kind} | {r['repeats']} "
                f"| {_s(ra['wall_s'])} | {_s(ra['cpu_s'])} | {_gib(ra['peak_rss_bytes'])} "
                f"| {_s(fl['wall_s'])} | {_gib(fl['peak_rss_bytes'])} "
                f"| {run['ratio_to_floor']['wall']:.2f}x "
                f"| {_s(st['ingest_s'])} ({_s(st['ingest_gx_s'])}) | {_s(st['dbt_s'])} "
                f"| {_s(st['checks_s'])} | {_s(st['publish_s'])} | {_s(outside)} |"
            )
    lines += [
        "",
        "Floor stages (DuckDB alone, median seconds):",
        "",
        "| scale | night | ingest | SQL (models + seed) | SQL (data tests) | publish | total |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, run in r["runs"].items():
            if not _completed(run):
                continue
            fs = run["floor"]["stages"]
            lines.append(
                f"| {_label(r)} | {kind} | {_s(fs['ingest_s'])} | {_s(fs['sql_models_s'])} "
                f"| {_s(fs['sql_tests_s'])} | {_s(fs['publish_s'])} | {_s(fs['total_s'])} |"
            )
    checked = [(r, name, t) for r in results for name, t in r.get("targets", {}).items()]
    if checked:
        lines += [
            "",
            "Targets on this machine:",
            "",
            "| scale | target | measured | limit | met |",
            "|---|---|---|---|---|",
        ]
        for r, name, t in checked:
            lines.append(
                f"| {_label(r)} | {name} | {t['value']} | {t['limit']} "
                f"| {'yes' if t['met'] else '**no**'} |"
            )
    objects = sorted({o for r in results for rows in r["rows"].values() for o in rows})
    if objects:
        header = [
            f"{r['scale']} {kind}" for r in results if not r.get("variant") for kind in r["rows"]
        ]
        lines += [
            "",
            "Rows delivered per object on the night:",
            "",
            "| object | " + " | ".join(header) + " |",
            "|---" * (len(header) + 1) + "|",
        ]
        for o in objects:
            cells = [
                f"{r['rows'][kind].get(o, 0):,}"
                for r in results
                if not r.get("variant")
                for kind in r["rows"]
            ]
            lines.append(f"| {o} | " + " | ".join(cells) + " |")
    if results:
        m, v = results[-1]["machine"], results[-1]["versions"]
        lines += [
            "",
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; "
            f"Python {m['python']}. Versions: "
            + ", ".join(f"{k} {val}" for k, val in v.items() if k != "rapport")
            + ". Results: "
            + ", ".join(f"`bench/results/{_file_name(r)}`" for r in results)
            + ".",
        ]
    return "\n".join(lines)


def update_docs(docs: Path, out_dir: Path) -> None:
    """Replace the table between the markers in ``docs`` with the latest results."""
    text = docs.read_text(encoding="utf-8") if docs.is_file() else ""
    table = render_table(latest_results(out_dir))
    block = f"{TABLE_START}\n{table}\n{TABLE_END}"
    if TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        tail = rest.split(TABLE_END, 1)[1]
        text = head + block + tail
    else:
        text = (text.rstrip() + "\n\n" if text else "") + block + "\n"
    docs.write_text(text, encoding="utf-8")


# --- facts about the machine -------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / GIB, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def versions(source: Path = REPO) -> dict:
    found = {"rapport": _commit(source)}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def _commit(source: Path = REPO) -> str | None:
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


# --- helpers ------------------------------------------------------------------------------------------


def _median(samples: list[dict]) -> dict:
    """The median of every number across samples with the same shape; other values from the
    first sample."""
    first = samples[0]
    out: dict[str, Any] = {}
    for key, value in first.items():
        values = [s.get(key) for s in samples]
        if isinstance(value, bool) or not all(isinstance(v, int | float | dict) for v in values):
            out[key] = value
        elif isinstance(value, dict):
            out[key] = _median([v for v in values if isinstance(v, dict)])
        else:
            median = statistics.median(values)
            out[key] = round(median, 3) if isinstance(median, float) else median
    return out


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return f"(no log at {log})"
    return "\n".join(text[-lines:])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- command line ------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--scales",
        default=os.environ.get("BENCH_SCALES", "10k,100k"),
        help="comma-separated accounts per scale: 10k, 100k, 1m, 2500 (env BENCH_SCALES)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=int(os.environ.get("BENCH_REPEATS", "3")),
        help="repetitions of each night (env BENCH_REPEATS)",
    )
    parser.add_argument(
        "--large-repeats",
        type=int,
        default=int(os.environ.get("BENCH_LARGE_REPEATS", "1")),
        help=f"repetitions for scales of {LARGE:,} accounts and more",
    )
    parser.add_argument(
        "--kinds", default="full,incremental", help="nights to measure: full, incremental"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="landings and runs")
    parser.add_argument(
        "--docs", type=Path, default=None, help="update the table in this file (performance.md)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the last installation and the base"
    )
    parser.add_argument(
        "--max-rss-gib",
        type=float,
        default=float(os.environ.get("BENCH_MAX_RSS_GIB", "0")) or None,
        help="stop a night whose process tree passes this much RSS (recorded as not completed)",
    )
    parser.add_argument(
        "--variant",
        choices=("no-gx",),
        default=None,
        help="diagnostic: run a variant of Rapport (no-gx: without the GX validation)",
    )
    parser.add_argument(
        "--cold-imports",
        action="store_true",
        help="no bytecode cache: every process compiles its imports from source",
    )
    parser.add_argument(
        "--ref",
        default=os.environ.get("BENCH_REF") or None,
        help="benchmark this commit (a clean clone under --work) instead of the working tree",
    )
    parser.add_argument(
        "--table", action="store_true", help="only print the table of the latest results"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.table:
        print(render_table(latest_results(args.out)))
        return 0
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    try:
        run_bench(
            scales,
            args.repeats,
            args.out,
            work_dir=args.work,
            large_repeats=args.large_repeats,
            kinds=kinds,
            docs=args.docs,
            keep=args.keep,
            ref=args.ref,
            cold_imports=args.cold_imports,
            max_rss_gib=args.max_rss_gib,
            variant=args.variant,
            log=lambda line: print(line, flush=True),
        )
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
