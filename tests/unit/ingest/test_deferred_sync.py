"""Durability batched per run: in a `deferred_sync` block the manifests (a night's "loaded"
mark) are written only at its end, after the partitions; a block that fails keeps the
manifests of what it finished."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from rapport.contract import get_object
from rapport.ingest import lake as lakes

ACCOUNTS = get_object("crm", "accounts")
NIGHTS = [date(2026, 10, 1), date(2026, 10, 2)]


def _publish_night(lake: Path, night: date) -> Path:
    built = lake / "built.parquet"
    built.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"Id": [night.isoformat()]}).write_parquet(built)
    target = lakes.partition(lake, lakes.RAW, ACCOUNTS, night)
    lakes.publish(built, target)
    return target / lakes.PART


def test_manifests_are_written_after_the_block_s_partitions(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with lakes.deferred_sync():
        for night in NIGHTS:
            part = _publish_night(lake, night)
            lakes.write_manifest(lake, "crm", night, {"extract_date": night.isoformat()})
            assert part.is_file()  # the partition is in place at once
            assert not lakes.manifest_path(lake, "crm", night).exists()  # its mark is not
    assert set(lakes.read_manifests(lake, "crm")) == set(NIGHTS)
    assert not list((lake / lakes.TMP / "crm").glob("manifest-*"))  # no temporary left


def test_a_failing_block_keeps_the_manifests_of_the_nights_it_finished(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with pytest.raises(RuntimeError), lakes.deferred_sync():
        _publish_night(lake, NIGHTS[0])
        lakes.write_manifest(lake, "crm", NIGHTS[0], {"extract_date": NIGHTS[0].isoformat()})
        _publish_night(lake, NIGHTS[1])
        raise RuntimeError("sent again while it was being loaded")
    assert set(lakes.read_manifests(lake, "crm")) == {NIGHTS[0]}


def test_outside_a_block_a_manifest_is_written_at_once(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lakes.write_manifest(lake, "crm", NIGHTS[0], {"extract_date": NIGHTS[0].isoformat()})
    assert lakes.manifest_path(lake, "crm", NIGHTS[0]).is_file()
