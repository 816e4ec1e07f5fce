"""One measured `rapport run` and the floor of the same work, each as a subprocess."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from bench.code import program, source_env
from bench.common import GIB, REPO, BenchError, Log, RunFailed, size_of, tail
from bench.monitor import Measured, measure
from bench.stages import DBT_STEPS, dagster_stages, dbt_results, run_id_of
from rapport.lake import RAW, Lake

#: variants that are another engine, not a bench.whatif diagnostic: `rapport run --engine`
ENGINE_VARIANTS = ("spark",)


def rapport_argv(source: Path, variant: str | None = None) -> list[str]:
    if variant and variant not in ENGINE_VARIANTS:
        # a diagnostic variant (bench.whatif): never counts for a target
        return [sys.executable, "-m", "bench.whatif", variant]
    return [sys.executable, "-m", program(source)]


def engine_args(variant: str | None) -> list[str]:
    """The run's engine: DuckDB unless the variant names another (never counts for the
    DuckDB targets either)."""
    return ["--engine", variant] if variant in ENGINE_VARIANTS else []


def install_paths(root: Path) -> dict[str, Path]:
    return {
        "warehouse": root / "wh" / "warehouse.duckdb",
        "lake": root / "wh" / "lake",
        "dagster": root / "dagster",
    }


def window_args(first: date, last: date) -> list[str]:
    """``rapport run``'s arguments for the nights ``first`` to ``last``."""
    if first == last:
        return ["--date", first.isoformat()]
    return ["--from", first.isoformat(), "--to", last.isoformat()]


def rapport_night(
    landing: Path,
    root: Path,
    night: date,
    source: Path,
    max_rss: int | None = None,
    variant: str | None = None,
    last: date | None = None,
) -> dict:
    """``rapport run --date night`` (or ``--from night --to last``) over the installation in
    ``root``, measured. Raises `RunFailed` when the run fails or passes ``max_rss`` bytes."""
    where = install_paths(root)
    where["dagster"].mkdir(parents=True, exist_ok=True)
    # rapport run starts a new installation only in a folder that exists
    where["warehouse"].parent.mkdir(parents=True, exist_ok=True)
    argv = [
        *rapport_argv(source, variant),
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(where["warehouse"]),
        "--lake",
        str(where["lake"]),
        *window_args(night, last or night),
        *engine_args(variant),
    ]
    log = root / f"run-{night.isoformat()}.log"
    env = source_env(source, {"DAGSTER_HOME": str(where["dagster"])})
    measured = measure(argv, env=env, cwd=source, log=log, max_rss_bytes=max_rss)
    started = measured.started_at
    ended = started + measured.wall_s
    try:
        stages, windows = dagster_stages(
            where["dagster"], run_id_of(log), started, ended, Lake(where["lake"]).dbt_targets
        )
    except BenchError:
        if measured.returncode == 0:
            raise
        stages, windows = {}, {}
    dbt = {step: dbt_results(Lake(where["lake"]).dbt_target(step)) for step in DBT_STEPS}
    result = {
        **process_fields(measured),
        "peak_rss_bytes_by_stage": {
            name: max((measured.peak_between(*w) for w in spans), default=0)
            for name, spans in windows.items()
        },
        "stages": stages,
        "dbt": dbt,
        "sizes": {
            "raw_zone_bytes": size_of(Lake(where["lake"]).root / RAW),
            "build_db_bytes": size_of(Lake(where["lake"]).build_db),
            "serving_bytes": size_of(where["warehouse"]),
        },
    }
    if measured.killed_over_rss:
        cap = (max_rss or 0) / GIB
        raise RunFailed(f"stopped: the process tree passed {cap:.1f} GiB of RSS", result)
    if measured.returncode != 0:
        raise RunFailed(f"rapport run failed ({root}): {tail(log, 3)}", result)
    return result


def process_fields(m: Measured) -> dict:
    return {
        "wall_s": m.wall_s,
        "cpu_s": round(m.cpu_s, 3),
        "cpu_user_s": m.cpu_user_s,
        "cpu_system_s": m.cpu_system_s,
        "peak_rss_bytes": m.peak_rss_bytes,
        "max_process_rss_bytes": m.max_process_rss_bytes,
        "rss_samples": m.samples,
    }


def floor_night(
    landing: Path,
    rapport_root: Path,
    root: Path,
    night: date,
    base_build: Path | None,
    source: Path,
    last: date | None = None,
) -> dict:
    """The floor of the night Rapport just ran in ``rapport_root`` (``python -m bench.floor``
    in a subprocess), starting from ``base_build`` (the build warehouse before the night)."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    build = Lake(root).build_db
    build.parent.mkdir(parents=True)
    if base_build is not None:
        shutil.copyfile(base_build, build)
    targets = Lake(install_paths(rapport_root)["lake"]).dbt_targets
    result = root / "floor.json"
    argv = [
        sys.executable,
        "-m",
        "bench.floor",
        "--landing",
        str(landing),
        "--night",
        night.isoformat(),
        "--to",
        (last or night).isoformat(),
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
        raise BenchError(f"floor failed ({root}): {tail(log)}")
    inside = json.loads(result.read_text(encoding="utf-8"))
    nodes = sorted(inside.pop("nodes", []), key=lambda n: -n["seconds"])
    inside["slowest"] = nodes[:5]
    return {**process_fields(measured), "stages": inside}


def serving_rows(warehouse: Path, tables: Sequence[str]) -> dict[str, int]:
    """Rows of the given tables of a published warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in tables}
    finally:
        con.close()


def delivered_rows(lake: Path, night: date, last: date | None = None) -> dict[str, int]:
    """Rows read per object for the night (or the nights up to ``last``), from the ingest's
    delivery manifests."""
    rows: dict[str, int] = {}
    for source_dir in sorted(Lake(lake).load_records_root.glob("*")):
        for path in sorted(source_dir.glob("dt=*.json")):
            if not night.isoformat() <= path.stem[3:] <= (last or night).isoformat():
                continue
            manifest = json.loads(path.read_text(encoding="utf-8"))
            for name, obj in sorted(manifest["objects"].items()):
                key = f"{manifest['source']}.{name}"
                rows[key] = rows.get(key, 0) + obj["rows_read"]
    return rows


@dataclass(frozen=True)
class Window:
    """What a measured run covers: the landing and its nights ``first`` to ``last``."""

    landing: Path
    first: date
    last: date
    label: str  # in the progress lines


@dataclass(frozen=True)
class Places:
    """Where the runs of a scenario happen: the installation ``root`` (always the same
    path: an installation does not move, its paths are in dbt's profile and vars), the
    scenario's folder, the state each repetition starts from (None: a fresh installation),
    and where to save the state the first repetition leaves (None: nowhere)."""

    root: Path
    folder: Path
    base: Path | None = None
    save_to: Path | None = None


@dataclass
class Repeated:
    samples: list[dict] = field(default_factory=list)
    floors: list[dict] = field(default_factory=list)
    matches: list[bool] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    failure: dict | None = None


def repeat_runs(
    window: Window,
    places: Places,
    count: int,
    source: Path,
    max_rss: int | None,
    variant: str | None,
    log: Log,
) -> Repeated:
    """``count`` measured runs of ``window``, each followed by its floor; stops at the
    first run that fails (recorded in ``failure``)."""
    out = Repeated()
    root, first, last = places.root, window.first, window.last
    for i in range(count):
        shutil.rmtree(root, ignore_errors=True)
        if places.base is not None:
            shutil.copytree(places.base, root, symlinks=True)
        log(f"  {window.label} {i + 1}/{count}: rapport run {' '.join(window_args(first, last))}")
        try:
            measured = rapport_night(
                window.landing, root, first, source, max_rss, variant, last=last
            )
        except RunFailed as failed:
            log(f"    FAILED: {failed}")
            out.rows = out.rows or delivered_rows(install_paths(root)["lake"], first, last)
            out.failure = {
                "completed": False,
                "failure": str(failed),
                "repetition": i + 1,
                "rapport": failed.measured,
            }
            return out
        log(
            f"    rapport {measured['wall_s']:.1f} s wall, {measured['cpu_s']:.1f} s CPU, "
            f"peak {measured['peak_rss_bytes'] / GIB:.2f} GiB"
        )
        if variant in ENGINE_VARIANTS:
            # the floor replays DuckDB's compiled SQL: there is none for another engine
            _keep_sample(out, measured, root, places, first, last, i)
            continue
        base_build = None
        if places.base is not None:
            base_build = Lake(install_paths(places.base)["lake"]).build_db
        floor_root = places.folder / f"floor-{i}"
        floor = floor_night(window.landing, root, floor_root, first, base_build, source, last)
        log(
            f"    floor   {floor['wall_s']:.1f} s wall, {floor['cpu_s']:.1f} s CPU, "
            f"peak {floor['peak_rss_bytes'] / GIB:.2f} GiB"
        )
        floor_rows = floor["stages"]["published_rows"]
        published = serving_rows(install_paths(root)["warehouse"], list(floor_rows))
        out.matches.append(published == floor_rows)
        measured["published_rows"] = published
        out.floors.append(floor)
        _keep_sample(out, measured, root, places, first, last, i)
        shutil.rmtree(floor_root, ignore_errors=True)
    return out


def _keep_sample(
    out: Repeated, measured: dict, root: Path, places: Places, first: date, last: date, i: int
) -> None:
    out.samples.append(measured)
    if i == 0:
        out.rows = delivered_rows(install_paths(root)["lake"], first, last)
        if places.save_to is not None:
            shutil.rmtree(places.save_to, ignore_errors=True)
            shutil.copytree(root, places.save_to, symlinks=True)
