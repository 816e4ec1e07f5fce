"""What every part of the benchmark shares: where things are, the generated landing's
shape, errors, and small helpers for numbers, files and times."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORK = REPO / "bench" / "work"
DEFAULT_OUT = REPO / "bench" / "results"
DEFAULT_DOCS = REPO / "docs" / "performance.md"
# The first night of every generated landing. Every night of the longest scenario (90) must be
# in the past: `rapport run` refuses a delivery dated after today + [landing] max_days_ahead.
START = date(2026, 8, 1)
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

Log = Callable[[str], None]


class BenchError(RuntimeError):
    pass


class RunFailed(BenchError):
    """A measured night that did not complete; ``measured`` holds how far it got."""

    def __init__(self, message: str, measured: dict) -> None:
        super().__init__(message)
        self.measured = measured


def median_of(samples: list[dict]) -> dict:
    """The median of every number across samples with the same shape; other values from the
    first sample."""
    first = samples[0]
    out: dict[str, Any] = {}
    for key, value in first.items():
        values = [s.get(key) for s in samples]
        if isinstance(value, bool) or not all(isinstance(v, int | float | dict) for v in values):
            out[key] = value
        elif isinstance(value, dict):
            out[key] = median_of([v for v in values if isinstance(v, dict)])
        else:
            median = statistics.median(values)
            out[key] = round(median, 3) if isinstance(median, float) else median
    return out


def ratio_of(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return f"(no log at {log})"
    return "\n".join(text[-lines:])


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
