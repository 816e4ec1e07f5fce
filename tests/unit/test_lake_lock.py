"""One run per lake: a second one is told which run holds the lake; a dead holder's lock is
taken over (issue 11, class 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rapport.lake_lock import LOCK, LakeBusy, lake_lock

HOLD = """
import sys, time
from pathlib import Path
from rapport.lake_lock import lake_lock
with lake_lock(Path(sys.argv[1])) as lock:
    print(lock.run_id, flush=True)
    time.sleep(60)
"""


def test_a_second_run_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        run_id = holder.stdout.readline().strip()
        with pytest.raises(LakeBusy) as refused, lake_lock(tmp_path, wait_seconds=0.6):
            pass
        message = str(refused.value)
        assert "\n" not in message
        assert f"pid {holder.pid}" in message and f"Dagster run {run_id}" in message
        assert "since 20" in message and "(waited 0.6 s)" in message
    finally:
        holder.kill()
        holder.wait()
    # the holder died (kill -9): its lock is taken over, and the file names the new holder
    with lake_lock(tmp_path) as lock:
        info = json.loads((tmp_path / LOCK).read_text())
        assert info["pid"] == os.getpid() and info["run_id"] == lock.run_id


def test_a_lake_that_is_a_file_is_refused(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lake.write_text("not a folder")
    with pytest.raises(LakeBusy, match="is a file, not a folder"), lake_lock(lake):
        pass
