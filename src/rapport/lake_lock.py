"""One writing run at a time per lake: a lock file, `<lake>/state/run.lock`.

The lock is an advisory ``flock`` on that file, held by the process for the whole run; the
file also says who holds it (pid, since when, the command and the Dagster run id), so a
second run can tell the user. The kernel releases a ``flock`` when its process dies (even
by ``kill -9``), so a lock left by a dead process is simply taken over: its file still
names the dead holder, and the new holder rewrites it. (``flock`` is local to one machine:
a lake on a network file system shared by several machines is not protected.)
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK = Path("state") / "run.lock"
_POLL_SECONDS = 0.5


class LakeBusy(Exception):
    """Another run holds the lake's lock; the message says which one."""


@dataclass(frozen=True)
class LakeLock:
    """The lock held by this process: ``run_id`` is the Dagster run id it will use."""

    path: Path
    run_id: str


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or not info:
        return "another process (it has not said which yet)"
    return (
        f"{info.get('command', 'a run')} (pid {info.get('pid', '?')}, since "
        f"{info.get('since', '?')}, Dagster run {info.get('run_id', '?')})"
    )


@contextmanager
def lake_lock(
    lake: Path, wait_seconds: float = 0, command: str = "rapport run"
) -> Iterator[LakeLock]:
    """Hold the lake's lock while the block runs; raise ``LakeBusy`` after ``wait_seconds``
    when another live process holds it."""
    if lake.exists() and not lake.is_dir():
        raise LakeBusy(f"lake {lake} is a file, not a folder")
    path = lake / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait_seconds:g} s)" if wait_seconds else ""
                    raise LakeBusy(
                        f"lake {lake} is in use by {_holder(path)}{waited}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(_POLL_SECONDS)
        lock = LakeLock(path, str(uuid.uuid4()))
        info = {
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command,
            "run_id": lock.run_id,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield lock
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
