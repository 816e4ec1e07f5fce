"""What `rapport run` shows while a night runs: nights loaded per source, dbt models built.

The run's steps say what they did in a few log lines (`night_loaded_line`,
`dbt_started_line`); the orchestration forwards those, and the start of each step and each
asset materialized, as `ProgressEvent`s to the Python logger `EVENTS_LOGGER`. The CLI
attaches a `ProgressHandler` to that logger for the duration of a run and renders the events:
a progress bar on a terminal, plain lines otherwise (cron, CI, a pipe), nothing with
`--quiet`. Nothing here imports Dagster.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Literal

EVENTS_LOGGER = "rapport.run.events"
Mode = Literal["bar", "plain", "quiet"]

_NIGHT_LOADED = re.compile(
    r"^(?P<source>\w+) (?P<night>\d{4}-\d{2}-\d{2}): (?P<rows>\d+) rows loaded, "
    r"(?P<quarantined>\d+) quarantined, (?P<rejected>\d+) file\(s\) rejected$"
)
_DBT_STARTED = re.compile(r"^dbt (?P<step>\w+): building (?P<total>\d+) models$")


def night_loaded_line(source: str, night: date, rows: int, quarantined: int, rejected: int) -> str:
    """The log line a step writes when it has loaded one night of one source."""
    return (
        f"{source} {night.isoformat()}: {rows} rows loaded, {quarantined} quarantined, "
        f"{rejected} file(s) rejected"
    )


def dbt_started_line(step: str, total: int) -> str:
    """The log line a dbt step writes before it builds `total` models (and seeds)."""
    return f"dbt {step}: building {total} models"


@dataclass(frozen=True)
class ProgressEvent:
    """One thing that happened in a run. `kind` is one of: `night_loaded` (source, night,
    rows), `dbt_started` (step, total), `asset_done` (step, asset), `step_started` (step),
    `step_failed` (step)."""

    kind: str
    step: str = ""
    source: str = ""
    night: str = ""
    rows: int = 0
    total: int = 0
    asset: str = ""


def event_from_message(step: str, message: str) -> ProgressEvent | None:
    """The event a step's log line stands for, if it is one of the lines above."""
    if m := _NIGHT_LOADED.match(message):
        return ProgressEvent(
            "night_loaded", step=step, source=m["source"], night=m["night"], rows=int(m["rows"])
        )
    if m := _DBT_STARTED.match(message):
        return ProgressEvent("dbt_started", step=m["step"], total=int(m["total"]))
    return None


@dataclass
class RunState:
    """What the console knows about the run so far."""

    to_load: dict[str, int]
    loaded: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    dbt_total: dict[str, int] = field(default_factory=dict)
    dbt_done: dict[str, int] = field(default_factory=dict)
    dbt_step_of: dict[str, str] = field(default_factory=dict)  # Dagster step -> dbt step
    dbt_assets: dict[str, set[str]] = field(default_factory=dict)

    def apply(self, event: ProgressEvent) -> None:
        if event.kind == "night_loaded":
            self.loaded[event.source] = self.loaded.get(event.source, 0) + 1
            self.rows[event.source] = self.rows.get(event.source, 0) + event.rows
            # a night not counted in the plan (e.g. --force reloads unchanged ones)
            self.to_load[event.source] = max(
                self.to_load.get(event.source, 0), self.loaded[event.source]
            )
        elif event.kind == "dbt_started":
            self.dbt_total[event.step] = event.total
            self.dbt_done[event.step] = 0
        elif event.kind == "asset_done" and event.step in self.dbt_step_of.values():
            # a range of nights materializes each partitioned model once per night
            self.dbt_assets.setdefault(event.step, set()).add(event.asset)
            self.dbt_done[event.step] = min(
                len(self.dbt_assets[event.step]), self.dbt_total.get(event.step, 0)
            )

    def source_line(self, source: str) -> str:
        done, total = self.loaded.get(source, 0), self.to_load.get(source, 0)
        return f"{source}: {done} of {total} nights loaded, {self.rows.get(source, 0):,} rows"

    def dbt_line(self, step: str) -> str:
        return f"dbt {step}: {self.dbt_done.get(step, 0)} of {self.dbt_total.get(step, 0)} models"


class ProgressHandler(logging.Handler):
    """Renders the `ProgressEvent`s logged to `EVENTS_LOGGER` (`record.rapport_event`)."""

    def __init__(self, state: RunState, out: IO[str], mode: Mode, dbt_every: int = 10) -> None:
        super().__init__(logging.DEBUG)
        self.state = state
        self.out = out
        self.mode = mode
        self.dbt_every = dbt_every
        self._bar = None
        self._tasks: dict[str, object] = {}
        self._said: dict[str, int] = {}  # the dbt count last printed, per dbt step

    # --- plain lines -----------------------------------------------------------------------

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def _plain(self, event: ProgressEvent) -> None:
        state = self.state
        if event.kind == "night_loaded":
            self._say(f"  {state.source_line(event.source)} (night {event.night})")
        elif event.kind == "dbt_started":
            self._say(f"  dbt {event.step}: building {event.total} models")
        elif event.kind == "asset_done" and event.step in state.dbt_total:
            done, total = state.dbt_done[event.step], state.dbt_total[event.step]
            if done != self._said.get(event.step) and (done == total or done % self.dbt_every == 0):
                self._said[event.step] = done
                self._say(f"  {state.dbt_line(event.step)}")
        elif event.kind == "step_started":
            self._say(f"- {_step_title(event.step)}")

    # --- a bar on a terminal ---------------------------------------------------------------

    def start(self) -> None:
        if self.mode != "bar":
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=Console(file=self.out),
            transient=False,
        )
        for source, total in self.state.to_load.items():
            self._tasks[source] = self._bar.add_task(source, total=total or None, detail="nights")
        self._bar.start()

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _render_bar(self, event: ProgressEvent) -> None:
        bar, state = self._bar, self.state
        if event.kind == "night_loaded":
            task = self._tasks.get(event.source)
            if task is None:
                task = self._tasks[event.source] = bar.add_task(event.source, total=0, detail="")
            bar.update(
                task,
                completed=state.loaded[event.source],
                total=state.to_load[event.source],
                detail=f"nights, {state.rows[event.source]:,} rows",
            )
        elif event.kind == "dbt_started":
            self._tasks[f"dbt:{event.step}"] = bar.add_task(
                f"dbt {event.step}", total=event.total, detail="models"
            )
        elif event.kind == "asset_done" and f"dbt:{event.step}" in self._tasks:
            bar.update(self._tasks[f"dbt:{event.step}"], completed=state.dbt_done[event.step])
        elif event.kind == "step_started" and not event.step.startswith("ingest_"):
            bar.console.print(f"- {_step_title(event.step)}")

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "rapport_event", None)
        if not isinstance(event, ProgressEvent) or self.mode == "quiet":
            return
        if event.kind == "dbt_started":
            self.state.dbt_step_of[record.__dict__.get("dagster_step", event.step)] = event.step
        if event.kind == "asset_done":
            dbt_step = self.state.dbt_step_of.get(event.step)
            if dbt_step is None:
                return
            event = ProgressEvent("asset_done", step=dbt_step, asset=event.asset)
        self.state.apply(event)
        try:
            if self._bar is not None:
                self._render_bar(event)
            else:
                self._plain(event)
        except (BrokenPipeError, ValueError):  # the console went away: the run goes on
            self.mode = "quiet"


def _step_title(step: str) -> str:
    titles = {
        "nightly_models": "dbt: staging, intermediate, history",
        "current_models": "dbt: current marts",
        "serving__warehouse": "publish",
        "marts__satisfied_at_risk_satisfied_but_leaving": "business check",
    }
    if step.startswith("ingest_"):
        return f"ingest {step.removeprefix('ingest_')}"
    return titles.get(step, step)


def choose_mode(out: IO[str], quiet: bool) -> Mode:
    if quiet:
        return "quiet"
    isatty = getattr(out, "isatty", None)
    return "bar" if isatty is not None and isatty() else "plain"


@contextmanager
def showing_progress(to_load: Mapping[str, int], out: IO[str], mode: Mode) -> Iterator[RunState]:
    """Render the run's events on `out` while the block runs."""
    state = RunState(to_load=dict(to_load))
    handler = ProgressHandler(state, out, mode)
    log = logging.getLogger(EVENTS_LOGGER)
    log.addHandler(handler)
    previous_level = log.level
    log.setLevel(logging.DEBUG)
    handler.start()
    try:
        yield state
    finally:
        handler.stop()
        log.removeHandler(handler)
        log.setLevel(previous_level)


def emit(event: ProgressEvent, dagster_step: str | None = None) -> None:
    """Log one event to `EVENTS_LOGGER` (a no-op when nobody shows progress)."""
    log = logging.getLogger(EVENTS_LOGGER)
    if log.hasHandlers():
        log.debug(event.kind, extra={"rapport_event": event, "dagster_step": dagster_step})
