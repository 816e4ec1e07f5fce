"""`rapport.ingest.lake_writes`: partitions appear whole or not at all; durability batched
per run: in a `deferred_sync` block the load records (a night's "loaded" mark) are written only
at its end, after the partitions; a block that fails keeps the records of what it finished."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from rapport.ingest import (
    ingest_object,
    lake_writes,
)
from rapport.lake import PART, RAW, Lake
from tests.unit.ingest.delivery_files import (
    ACCOUNTS,
    D,
    account,
    accounts_csv,
    deliver,
    raw,
)


def test_stale_temporary_folders_are_cleaned(landing: Path, lake: Path) -> None:
    stale = lake / ".tmp" / "crm" / "accounts" / "dt=2026-11-01-deadbeef"
    stale.mkdir(parents=True)
    (stale / "raw.parquet").write_bytes(b"half")
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account())})
    ingest_object(landing, lake, ACCOUNTS, D)
    assert not any(p.is_file() for p in (lake / ".tmp").rglob("*"))


_KILL_SCRIPT = """
import sys
from datetime import date
from pathlib import Path
from rapport.contract import get_object
from rapport.ingest import ingest_object
landing, lake = Path(sys.argv[1]), Path(sys.argv[2])
ingest_object(landing, lake, get_object("crm", "accounts"), date(2026, 11, 1))
"""


def test_a_killed_ingest_never_leaves_a_partial_partition(landing: Path, lake: Path) -> None:
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account(Id="001OLD"))})
    ingest_object(landing, lake, ACCOUNTS, D)
    many = accounts_csv(*(account(Id=f"001{i:06d}") for i in range(60_000)))
    deliver(landing, "crm", {"accounts.csv": many})
    part = lake / "raw" / "crm" / "accounts" / "dt=2026-11-01" / "part-0.parquet"
    for delay in (0.3, 0.6, 0.9, 1.2):
        proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(landing), str(lake)])
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert pl.read_parquet(part).height in (1, 60_000)  # the old partition or the new
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert load.rows_loaded == 60_000 and raw(lake, ACCOUNTS).height == 60_000
    assert not any(p.is_file() for p in (lake / ".tmp").rglob("*"))


NIGHTS = [date(2026, 10, 1), date(2026, 10, 2)]


def _publish_night(lake: Path, night: date) -> Path:
    built = lake / "built.parquet"
    built.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"Id": [night.isoformat()]}).write_parquet(built)
    target = Lake(lake).partition(RAW, ACCOUNTS, night)
    lake_writes.move_into_place(built, target)
    return target / PART


def test_load_records_are_written_after_the_block_s_partitions(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with lake_writes.deferred_sync():
        for night in NIGHTS:
            part = _publish_night(lake, night)
            lake_writes.write_load_record(lake, "crm", night, {"extract_date": night.isoformat()})
            assert part.is_file()  # the partition is in place at once
            assert not Lake(lake).load_record("crm", night).exists()  # its mark is not
    assert set(lake_writes.read_load_records(lake, "crm")) == set(NIGHTS)
    assert not list((Lake(lake).scratch_root / "crm").glob("manifest-*"))  # no temporary left


def test_a_failing_block_keeps_the_load_records_of_the_nights_it_finished(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with pytest.raises(RuntimeError), lake_writes.deferred_sync():
        _publish_night(lake, NIGHTS[0])
        lake_writes.write_load_record(
            lake, "crm", NIGHTS[0], {"extract_date": NIGHTS[0].isoformat()}
        )
        _publish_night(lake, NIGHTS[1])
        raise RuntimeError("sent again while it was being loaded")
    assert set(lake_writes.read_load_records(lake, "crm")) == {NIGHTS[0]}


def test_outside_a_block_a_load_record_is_written_at_once(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lake_writes.write_load_record(lake, "crm", NIGHTS[0], {"extract_date": NIGHTS[0].isoformat()})
    assert Lake(lake).load_record("crm", NIGHTS[0]).is_file()
