"""The publish gates: why a run's nights must not be published, read from the load records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rapport.ingest import loaded_deliveries


def gate_problems(
    lake: Path, source: str, nights: list[date], max_quarantined_share: float
) -> list[str]:
    """Why these nights must not be published: rejected files, or more rows quarantined
    than the configured share of a file's rows. Read from the load records, so a rerun of the
    same nights fails the same way until the delivery is replayed or released."""
    records = loaded_deliveries(lake, source)
    problems = []
    for night in nights:
        for name, obj in records.get(night, {}).get("objects", {}).items():
            where = obj.get("file") or f"{source}/{name}"
            if obj.get("rejected"):
                problems.append(f"{where} rejected: {obj['rejected']}")
            elif obj["rows_quarantined"] > max_quarantined_share * max(obj["rows_read"], 1):
                problems.append(
                    f"{where}: {obj['rows_quarantined']} of {obj['rows_read']} rows quarantined "
                    f"(more than {max_quarantined_share:.0%})"
                )
    return problems


def loads_of(lake: Path, source: str, nights: list[date]) -> list[dict]:
    """The load records' entries (one per object) of these nights."""
    records = loaded_deliveries(lake, source)
    return [
        {"night": n, "object": name, **obj}
        for n in nights
        for name, obj in records.get(n, {}).get("objects", {}).items()
    ]
