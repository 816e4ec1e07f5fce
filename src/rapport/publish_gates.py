"""The publish gates: why a run's nights must not be published, read from the load records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rapport.config import load_config
from rapport.ingest import loaded_deliveries
from rapport.quality_gate import GateRule, quarantine_verdict


def gate_problems(
    lake: Path,
    source: str,
    nights: list[date],
    rule: GateRule,
    max_replay_drop: float | None = None,
) -> list[str]:
    """Why these nights must not be published: rejected files, quarantined rows over the
    gate's rule (`rapport.quality_gate`), or a replay delivering markedly fewer rows than
    the delivery it replaced (`[landing] max_replay_drop`). Read from the load records, so a
    rerun of the same nights fails the same way until the delivery is replayed or released."""
    if max_replay_drop is None:
        max_replay_drop = load_config().landing.max_replay_drop
    records = loaded_deliveries(lake, source)
    problems = []
    for night in nights:
        for name, obj in records.get(night, {}).get("objects", {}).items():
            where = obj.get("file") or f"{source}/{name}"
            if obj.get("rejected"):
                problems.append(f"{where} rejected: {obj['rejected']}")
                continue
            object_rows = sum(
                m.get("objects", {}).get(name, {}).get("rows_loaded", 0)
                for n, m in records.items()
                if n <= night
            )
            verdict = quarantine_verdict(
                rule, obj["rows_quarantined"], obj["rows_read"], object_rows
            )
            if verdict:
                problems.append(f"{where}: {verdict}")
            elif obj["rows_read"] < (1 - max_replay_drop) * (obj.get("replaced_rows_read") or 0):
                problems.append(
                    f"{where}: this replay delivers {obj['rows_read']} rows, the delivery it "
                    f"replaces held {obj['replaced_rows_read']} (a drop over "
                    f"{max_replay_drop:.0%}, [landing] max_replay_drop)"
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
