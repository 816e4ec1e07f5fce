"""The single-night scenarios of a scale: the first full night and an incremental one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from bench.common import DAYS, GIB, REPO, START, Log, median_of, ratio_of
from bench.facts import FLOOR_DEFINITION, envelope, landing_facts
from bench.landing import accounts_of, ensure_landing
from bench.measured import Places, Window, repeat_runs

#: targets on the reference machine (the issue): scale -> checks
TARGETS = {
    "100k": {"full_wall_s": 180, "incremental_wall_s": 30, "ratio_to_floor": 1.3},
    "1m": {"completes": True, "peak_rss_gib": 8, "ratio_to_floor": 1.3},
}


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
    rows: dict[str, dict[str, int]] = {}
    load = {"before": list(os.getloadavg())}
    for kind in ("full", "incremental"):
        if kind not in kinds and not (kind == "full" and "incremental" in kinds):
            continue
        count = repeats if kind in kinds else 1  # the base for incremental nights only
        night = nights[kind]
        base_state = base if kind == "incremental" else None
        # the state after the first full night is the base of the incremental nights
        save_to = base if kind == "full" and "incremental" in kinds else None
        done = repeat_runs(
            Window(landing, night, night, f"{kind} night"),
            Places(root, folder, base_state, save_to),
            count,
            source,
            max_rss,
            variant,
            log,
        )
        rows[kind] = done.rows
        if done.failure is not None:
            runs[kind] = done.failure
            break  # nothing to build an incremental night on
        if kind in kinds:
            runs[kind] = summarize(done.samples, done.floors, done.matches)
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)
    load["after"] = list(os.getloadavg())
    result = {
        **envelope(scale, accounts, repeats, variant, source, load),
        "landing": landing_facts(generated, DAYS),
        "rows": rows,
        "floor_definition": FLOOR_DEFINITION,
        "runs": runs,
    }
    result["targets"] = check_targets(result)
    return result


def summarize(samples: list[dict], floors: list[dict], matches: list[bool]) -> dict:
    if not floors:  # another engine (bench --engine spark): no DuckDB floor to compare with
        return {
            "completed": True,
            "rapport": median_of(samples),
            "floor": None,
            "samples": {"rapport": samples},
        }
    rapport, floor = median_of(samples), median_of(floors)
    rs, fs = rapport["stages"], floor["stages"]
    ratio = {
        "wall": ratio_of(rapport["wall_s"], floor["wall_s"]),
        "cpu": ratio_of(rapport["cpu_s"], floor["cpu_s"]),
        "peak_rss": ratio_of(rapport["peak_rss_bytes"], floor["peak_rss_bytes"]),
        "ingest": ratio_of(rs["ingest_s"], fs["ingest_s"]),
        "dbt": ratio_of(rs["dbt_s"], fs["sql_s"]),
        "publish": ratio_of(rs["publish_s"], fs["publish_s"]),
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
    if "full_wall_s" in targets and full and completed(full):
        value = full["rapport"]["wall_s"]
        checks["full_night_wall_s"] = target(value, targets["full_wall_s"])
    if "incremental_wall_s" in targets and incr and completed(incr):
        value = incr["rapport"]["wall_s"]
        checks["incremental_night_wall_s"] = target(value, targets["incremental_wall_s"])
    if "completes" in targets:
        done = bool(runs) and all(completed(r) for r in runs.values())
        checks["completes"] = {"value": done, "limit": True, "met": done}
    if "peak_rss_gib" in targets:
        peak = max((r["rapport"]["peak_rss_bytes"] for r in runs.values()), default=0) / GIB
        checks["peak_rss_gib"] = target(round(peak, 3), targets["peak_rss_gib"])
    for kind, run in runs.items():
        if completed(run):
            checks[f"{kind}_ratio_to_floor"] = target(
                run["ratio_to_floor"]["wall"], targets["ratio_to_floor"]
            )
    return checks


def completed(run: dict) -> bool:
    return bool(run.get("completed", "floor" in run))


def target(value: float, limit: float) -> dict:
    return {"value": value, "limit": limit, "met": value < limit}
