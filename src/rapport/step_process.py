"""A step's heavy work in a child process, so that its memory goes back to the system.

polars (reading a night's landing) and pandas (Great Expectations) keep most of what they
allocated after the work is done, and the run process would hold it through dbt (measured
at 1M accounts: docs/performance.md, finding 3). `StepProcess` runs the work in one spawned child process per step,
reused for the load and then the validations, and ends it when the step is done.

The child's log lines (the ``log`` handed to ``load_source_nights``) are relayed to the
parent's logger as they happen, so in Dagster they reach the run's event log at the time
the child logged them. An exception in the child is raised in the parent with its own type
and message (its traceback in ``__cause__``).
"""

import contextlib
import logging
import multiprocessing
import os
import pickle
import queue
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from rapport.paths import Paths
from rapport.raw_zone import RawZone

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from rapport.load_nights import SourceLoad
    from rapport.quality.result import ObjectValidation

T = TypeVar("T")

END = "end"  # (END, task) follows each task on the relay, whatever its outcome
STARTED = "started"  # (STARTED, pid): the child is up; its pid lets the parent kill it
POLL_S = 0.2
GRACE_S = 2.0  # how long to wait for a finished task's end marker

# --- the child's side ------------------------------------------------------------------------

_relay: "Queue[tuple[Any, Any]] | None" = None


class _Relay(logging.Handler):
    """Sends each record (level and message) to the parent."""

    def emit(self, record: logging.LogRecord) -> None:
        if _relay is not None:
            _relay.put((record.levelno, record.getMessage()))


def _start(relay: "Queue[tuple[Any, Any]]") -> None:
    """The child's initializer: keep the queue to the parent."""
    global _relay
    _relay = relay
    relay.put((STARTED, os.getpid()))


def _step_logger() -> logging.Logger:
    """A logger whose records go to the parent only."""
    log = logging.getLogger("rapport.step_process.child")
    if not log.handlers:
        log.addHandler(_Relay())
        log.setLevel(logging.DEBUG)
        log.propagate = False
    return log


def _run_task(task: int, work: Callable[..., T], *args: Any) -> T:
    """Run one task in the child, then put its end marker on the relay. An exception that
    cannot travel to the parent (pickle) becomes a RuntimeError with the same text."""
    try:
        return work(*args)
    except Exception as e:
        try:
            pickle.loads(pickle.dumps(e))
        except Exception:
            raise RuntimeError(f"{type(e).__name__}: {e}") from e
        raise
    finally:
        if _relay is not None:
            _relay.put((END, task))


def load_in_child(paths: Paths, source: str, nights: list[date], force: bool) -> "SourceLoad":
    """Child side of `StepProcess.load`: ``load_source_nights``, its log relayed."""
    from rapport.load_nights import load_source_nights

    return load_source_nights(paths, source, nights, force=force, log=_step_logger())


def validate_in_child(
    lake: Path, quality_dir: Path, source: str, nights: list[date], raw: RawZone | None
) -> "list[ObjectValidation]":
    """Child side of `StepProcess.validate`: ``validate_nights`` (GX is imported here only)."""
    from rapport.quality import validate_nights

    return validate_nights(lake, quality_dir, source, nights, raw)


# --- the parent's side -----------------------------------------------------------------------


class StepProcess:
    """One spawned child process for the heavy work of a step; use it as a context manager.

    Leaving the block ends the child (waiting for it when the block succeeded, killing it
    when the block raised, e.g. a run being terminated). With ``isolated=False`` the same
    calls run in this process (a small night: not worth a child's start).
    """

    def __init__(self, log: logging.Logger, isolated: bool = True) -> None:
        self.log = log
        self.isolated = isolated
        self._context = multiprocessing.get_context("spawn")
        self._relay: Queue[tuple[Any, Any]] | None = (
            self._context.Queue() if isolated else None  # records, END
        )
        self._pool: ProcessPoolExecutor | None = None
        self._child_pid: int | None = None
        self._tasks = 0

    def __enter__(self) -> Self:
        if self.isolated:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=self._context,
                initializer=_start,
                initargs=(self._relay,),
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pool, self._pool = self._pool, None
        relay, self._relay = self._relay, None
        if pool is not None:
            if error is not None and self._child_pid is not None:
                # do not wait for a validation that nobody will read (the executor has no
                # public way to stop a running task: end the child by its pid)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self._child_pid, signal.SIGKILL)
            pool.shutdown(wait=True, cancel_futures=True)
        if relay is not None:
            relay.close()
            relay.join_thread()

    def load(self, paths: Paths, source: str, nights: list[date], force: bool) -> "SourceLoad":
        """``rapport.load_nights.load_source_nights`` in the child; its lines go to ``log``."""
        if not self.isolated:
            from rapport.load_nights import load_source_nights

            return load_source_nights(paths, source, nights, force=force, log=self.log)
        return self._call(load_in_child, paths, source, nights, force)

    def validate(
        self,
        lake: Path,
        quality_dir: Path,
        source: str,
        nights: list[date],
        raw: RawZone | None = None,
    ) -> "list[ObjectValidation]":
        """``rapport.quality.validate_nights`` in the child: one outcome per night and object
        (of the raw zone `raw`, default the lake's)."""
        if not self.isolated:
            from rapport.quality import validate_nights

            return validate_nights(lake, quality_dir, source, nights, raw)
        return self._call(validate_in_child, lake, quality_dir, source, nights, raw)

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._pool is None or self._relay is None:
            raise RuntimeError("StepProcess used outside its `with` block")
        self._tasks += 1
        future = self._pool.submit(_run_task, self._tasks, fn, *args)
        self._forward(self._relay, future, self._tasks)
        try:
            return future.result()
        except BrokenProcessPool as e:
            raise RuntimeError(
                f"the step's child process died during {fn.__name__} (killed, or out of memory?)"
            ) from e

    def _forward(self, relay: "Queue[tuple[Any, Any]]", future: "Future[Any]", task: int) -> None:
        """Relay the child's log records as they come, until the task's end marker (or the
        task ended without one: the child died, or the task never started)."""
        waited_after_done = 0.0
        while True:
            try:
                item = relay.get(timeout=POLL_S)
            except queue.Empty:
                if future.done():
                    waited_after_done += POLL_S
                    if waited_after_done >= GRACE_S or isinstance(
                        future.exception(), BrokenProcessPool
                    ):
                        return
                continue
            if item[0] == STARTED:
                self._child_pid = item[1]
                continue
            if item[0] == END:
                if item[1] == task:
                    return
                continue  # a late marker of an earlier task
            level, message = item
            self.log.log(level, message)
