"""Facts about the machine a result was measured on."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench.code import versions
from bench.common import GIB, SEED, START, now


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


FLOOR_DEFINITION = (
    "DuckDB alone: read_csv/read_json of the nights' files to Parquet (a range: one pass per "
    "object); the SQL dbt compiled for the run (models, seed, data tests; no unit tests) in "
    "dependency order in one connection; ATTACH + CREATE TABLE AS publish"
)


def envelope(
    scale: str,
    accounts: int,
    repeats: int,
    variant: str | None,
    source: Path,
    load: dict[str, list[float]],
) -> dict[str, Any]:
    """The fields every result file starts with: what was measured, when, where, with what."""
    load = {**load, "after": list(os.getloadavg())}
    return {
        "schema": 1,
        "date": datetime.now(UTC).date().isoformat(),
        "finished_at": now(),
        "scale": scale,
        "variant": variant,
        "accounts": accounts,
        "repeats": repeats,
        "machine": machine(),
        "load_average": load,
        "versions": versions(source),
    }


def landing_facts(generated: dict, days: int) -> dict[str, Any]:
    return {
        "start": START.isoformat(),
        "days": days,
        "seed": SEED,
        "bytes": generated["bytes"],
        "generate_s": generated["seconds"],
        "generate_peak_rss_bytes": generated.get("peak_rss_bytes"),
    }
