"""`rapport.ingest.lake_writes`: partitions appear whole or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from rapport.ingest import (
    ingest_object,
)
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
