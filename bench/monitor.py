"""Measure one command as a process tree: wall time, CPU time and peak resident memory.

The command runs as a subprocess. A thread polls the resident set size (RSS) of the process
and all its descendants (the dbt subprocess, for instance) every ``interval`` seconds and
keeps the peak of their sum, and a timeline of it; CPU time is the user + system time of the
whole tree, from ``getrusage(RUSAGE_CHILDREN)`` around the wait (it counts every descendant
that was waited for, which dbt's subprocess is). Summed RSS counts shared pages once per
process, so it errs high; ``max_process_rss_bytes`` is the largest single process seen.

With ``max_rss_bytes`` the tree is killed when its RSS passes the cap (on a shared machine a
run that would exhaust memory is stopped rather than the kernel picking a victim).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Measured:
    """One command's run, measured."""

    returncode: int
    wall_s: float
    cpu_user_s: float
    cpu_system_s: float
    peak_rss_bytes: int  # peak of the sum over the process tree
    max_process_rss_bytes: int  # the largest single process seen
    samples: int  # RSS polls taken
    started_at: float = 0.0  # epoch seconds
    killed_over_rss: bool = False  # stopped for passing ``max_rss_bytes``
    timeline: list[tuple[float, int]] = field(default_factory=list, repr=False)

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_system_s

    def peak_between(self, start: float, end: float) -> int:
        """Peak tree RSS sampled between two epoch times (0 if none was)."""
        return max((rss for t, rss in self.timeline if start <= t <= end), default=0)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("timeline")
        return {**data, "cpu_s": round(self.cpu_s, 3)}


class _TreePoller(threading.Thread):
    def __init__(self, pid: int, interval: float, max_rss: int | None) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.max_rss = pid, interval, max_rss
        self.peak = 0
        self.peak_single = 0
        self.samples = 0
        self.killed = False
        self.timeline: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        known: dict[int, psutil.Process] = {self.pid: root}
        while not self._stop_event.is_set():
            total = 0
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            live = []
            for proc in tree:
                # keep Process objects so a pid reused by another process is not counted
                proc = known.setdefault(proc.pid, proc)
                try:
                    rss = proc.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                live.append(proc)
                total += rss
                self.peak_single = max(self.peak_single, rss)
            self.peak = max(self.peak, total)
            self.samples += 1
            self.timeline.append((time.time(), total))
            if self.max_rss is not None and total > self.max_rss and not self.killed:
                self.killed = True
                _kill(live)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _kill(processes: list[psutil.Process]) -> None:
    """Kill the measured tree, children first (only processes this command started)."""
    for proc in reversed(processes):
        try:
            proc.send_signal(signal.SIGKILL)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue


def measure(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    log: Path | None = None,
    interval: float = 0.1,
    max_rss_bytes: int | None = None,
) -> Measured:
    """Run ``argv`` to completion (stdout and stderr to ``log``) and measure its tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    try:
        started_at = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        poller = _TreePoller(proc.pid, interval, max_rss_bytes)
        poller.start()
        returncode = proc.wait()
        wall = time.perf_counter() - started
        poller.stop()
    finally:
        if log is not None:
            out.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Measured(
        returncode=returncode,
        wall_s=round(wall, 3),
        cpu_user_s=round(after.ru_utime - before.ru_utime, 3),
        cpu_system_s=round(after.ru_stime - before.ru_stime, 3),
        peak_rss_bytes=poller.peak,
        max_process_rss_bytes=poller.peak_single,
        samples=poller.samples,
        started_at=started_at,
        killed_over_rss=poller.killed,
        timeline=poller.timeline,
    )


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for measured commands: no usage statistics sent anywhere."""
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1"}
    env.update(extra or {})
    return env
