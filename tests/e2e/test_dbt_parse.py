"""One dbt parse per installation, not per night (rapport.dbt_parse), and the dbt docs reused
while nothing they show changed (rapport.dbt_docs): a later night parses nothing and generates
no docs, and its marts equal those of the same night built from a fresh parse."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from tests.pipeline_helpers import Installation, generate, marts_digest

N1, N2 = date(2026, 9, 1), date(2026, 9, 2)
STEPS = ("nightly", "current", "docs")


def _log_sizes(targets: Path) -> dict[str, int]:
    return {s: (targets / s / "dbt.log").stat().st_size for s in STEPS}


def _events_since(targets: Path, sizes: dict[str, int]) -> dict[str, list[dict]]:
    """dbt's structured log events (dagster-dbt asks for JSON) written since `sizes`."""
    events = {}
    for step in STEPS:
        with (targets / step / "dbt.log").open("rb") as f:
            f.seek(sizes[step])
            events[step] = [json.loads(x) for x in f.read().decode().splitlines() if x]
    return events


def _codes(events: list[dict]) -> list[str]:
    return [e["info"]["code"] for e in events]


def test_a_later_night_parses_nothing_reuses_the_docs_and_builds_the_same_marts(tmp_path):
    inst = generate(tmp_path / "a", 60, N1, 2, seed=3)
    assert inst.run("--date", N1.isoformat()) == 0
    targets = inst.paths.lake_layout.dbt_targets
    # the first night parses once: the three steps hold that one parse
    parses = {s: (targets / s / "partial_parse.msgpack").read_bytes() for s in STEPS}
    assert len(set(parses.values())) == 1
    site = inst.warehouse.parent / "docs" / "dbt" / "index.html"
    generated = (targets / "docs" / "static_index.html").stat().st_mtime_ns

    # the same installation after N1, but for its dbt folders: N2 from a fresh parse
    fresh_root = tmp_path / "b"
    shutil.copytree(tmp_path / "a", fresh_root)
    shutil.rmtree(fresh_root / targets.relative_to(tmp_path / "a"))
    fresh = Installation(fresh_root / "landing", fresh_root / "warehouse.duckdb", inst.labels)

    sizes = _log_sizes(targets)
    assert inst.run("--date", N2.isoformat()) == 0
    events = _events_since(targets, sizes)
    # nightly and current: one dbt invocation each, which skipped parsing (I017) and found no
    # reason to parse (I024: "Unable to do partial parsing because ...")
    for step in ("nightly", "current"):
        assert "I017" in _codes(events[step]) and "I024" not in _codes(events[step]), step
    # the docs: no dbt invocation at all, the site published from the one generated on N1
    assert events["docs"] == []
    assert (targets / "docs" / "static_index.html").stat().st_mtime_ns == generated
    assert site.read_bytes() == (targets / "docs" / "static_index.html").read_bytes()

    assert fresh.run("--date", N2.isoformat()) == 0
    fresh_targets = fresh.paths.lake_layout.dbt_targets
    assert "I017" not in _codes(_events_since(fresh_targets, dict.fromkeys(STEPS, 0))["nightly"])
    assert marts_digest(inst.warehouse) == marts_digest(fresh.warehouse)
    # the docs reused on N2 show what docs generated on N2 show: the same catalog
    catalogs = [
        json.loads((t / "docs" / "catalog.json").read_text()) for t in (targets, fresh_targets)
    ]
    for catalog in catalogs:
        catalog.pop("metadata")
    assert catalogs[0] == catalogs[1]
