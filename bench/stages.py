"""Where a run's time went: stages from the Dagster event log, dbt's own timings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import BenchError, rounded

Span = tuple[float, float]
RUN_ID = re.compile(r"Dagster run ([0-9a-f-]{36})")


def run_id_of(log: Path) -> str | None:
    """The run id `rapport run` printed (None: the newest run of the instance)."""
    found = RUN_ID.findall(log.read_text(encoding="utf-8", errors="replace"))
    return found[-1] if found else None


INGEST_STEPS = ("ingest_crm", "ingest_support", "ingest_surveys")
DBT_STEPS = ("nightly", "current")
PUBLISH_STEP = "serving__warehouse"
#: the ingest step's phases, in the metadata of its materializations (pipelines/defs/ingest.py)
LOAD_PHASE = "load_seconds"
VALIDATION_PHASE = "validation_seconds"


@dataclass
class RunEvents:
    """What the stages are computed from: the run's and each step's start and end (epoch
    seconds), and the metadata of each step's materializations."""

    first: float
    run_start: float
    run_end: float
    steps: dict[str, dict[str, float]] = field(default_factory=dict)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)

    def took(self, key: str) -> float:
        s = self.steps.get(key, {})
        return s["end"] - s["start"] if "start" in s and "end" in s else 0.0


def read_events(home: Path, run_id: str | None, started: float, ended: float) -> RunEvents:
    """The run's events from the Dagster instance in ``home`` (the newest run without an id)."""
    from dagster import DagsterEventType, DagsterInstance
    from dagster._core.instance.ref import InstanceRef  # no public way to open one by path

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        if run_id is None:
            runs = instance.get_runs(limit=1)
            if not runs:
                raise BenchError(f"no Dagster run in {home}")
            run_id = runs[0].run_id
        entries = instance.all_logs(run_id)
    run_start = run_end = None
    steps: dict[str, dict[str, float]] = {}
    metadata: dict[str, dict[str, Any]] = {}
    for e in entries:
        kind = e.dagster_event.event_type if e.dagster_event else None
        if kind == DagsterEventType.RUN_START:
            run_start = e.timestamp
        elif kind in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE):
            run_end = e.timestamp
        elif kind == DagsterEventType.STEP_START:
            steps.setdefault(e.step_key, {})["start"] = e.timestamp
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            steps.setdefault(e.step_key, {})["end"] = e.timestamp
        elif kind == DagsterEventType.ASSET_MATERIALIZATION and e.step_key:
            found = e.dagster_event.event_specific_data.materialization.metadata
            metadata.setdefault(e.step_key, {}).update({k: v.value for k, v in found.items()})
    if run_start is None:
        raise BenchError(f"run {run_id} has no start event in {home}")
    if run_end is None:  # killed: the steps that ended are still measured
        run_end = ended
    for s in steps.values():
        s.setdefault("start", run_end)
        s.setdefault("end", run_end)
    first = entries[0].timestamp if entries else started
    return RunEvents(first, run_start, run_end, steps, metadata)


def _ingest_spans(ev: RunEvents) -> tuple[list[Span], list[Span], list[Span]]:
    """Each ingest step's load and validation spans, split where its metadata says the
    load ended (a step without materializations: all of it counts as validation); and
    the part of the validation span after the GX validation itself (its own
    ``validation_seconds``): the step reporting its materializations and checks to
    Dagster, and the gates (empty for a step without that metadata)."""
    load: list[Span] = []
    gx: list[Span] = []
    report: list[Span] = []
    for key in INGEST_STEPS:
        if key not in ev.steps:
            continue
        start, end = ev.steps[key]["start"], ev.steps[key]["end"]
        phase = ev.metadata.get(key, {}).get(LOAD_PHASE)
        if phase is None:
            gx.append((start, end))
            continue
        loaded = min(start + float(phase), end)
        load.append((start, loaded))
        gx.append((loaded, end))
        validated = ev.metadata.get(key, {}).get(VALIDATION_PHASE)
        if validated is not None:
            report.append((min(loaded + float(validated), end), end))
    return load, gx, report


def _dbt_step(ev: RunEvents, target: Path, step: str) -> dict[str, float]:
    """A dbt step's time, split by dbt's own run_results.json (when the invocation started
    and when its results were written) into before dbt, the dbt process, and after."""
    key = f"{step}_models"
    out = {"step_s": ev.took(key)}
    path = target / step / "run_results.json"
    if key not in ev.steps or not path.is_file():
        return out
    meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    if not meta.get("invocation_started_at") or not meta.get("generated_at"):
        return out
    began = _epoch(meta["invocation_started_at"])
    wrote = _epoch(meta["generated_at"])
    if not ev.steps[key]["start"] <= began <= wrote <= ev.steps[key]["end"] + 1:
        return out  # results of another invocation (the step failed before dbt ran)
    out["before_dbt_s"] = began - ev.steps[key]["start"]
    out["dbt_process_s"] = wrote - began
    out["after_dbt_s"] = max(ev.steps[key]["end"] - wrote, 0.0)
    return out


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def dagster_stages(
    home: Path, run_id: str | None, started: float, ended: float, dbt_target: Path
) -> tuple[dict, dict[str, list[Span]]]:
    """Stage times of the run (seconds), and the (start, end) epoch times of each stage (for
    the memory peak of each). ``dbt_target``: the lake's ``build/dbt_target``."""
    ev = read_events(home, run_id, started, ended)
    load_spans, gx_spans, report_spans = _ingest_spans(ev)
    dbt = {step: _dbt_step(ev, dbt_target, step) for step in DBT_STEPS}
    checks = [k for k in ev.steps if k.endswith("satisfied_but_leaving")]
    in_steps = sum(ev.took(k) for k in ev.steps)
    stages = {
        "ingest_s": sum(ev.took(k) for k in INGEST_STEPS),
        "ingest_load_s": sum(b - a for a, b in load_spans),
        "ingest_gx_s": sum(b - a for a, b in gx_spans),
        # of which after GX itself: the materialization and check events, the gates
        "ingest_report_s": sum(b - a for a, b in report_spans),
        "dbt_s": sum(d["step_s"] for d in dbt.values()),
        "dbt_steps": dbt,
        "checks_s": sum(ev.took(k) for k in checks),
        "publish_s": ev.took(PUBLISH_STEP),
        "run_s": ev.run_end - ev.run_start,
        "before_run_s": ev.first - started,  # interpreter, imports, definitions, instance, plan
        "run_setup_s": ev.run_start - ev.first,  # the run record and its planned materializations
        "between_steps_s": (ev.run_end - ev.run_start) - in_steps,
        "after_run_s": ended - ev.run_end,
    }
    windows: dict[str, list[Span]] = {
        "before_run": [(started, ev.first)],
        "ingest_load": load_spans,
        "ingest_gx": gx_spans,
    }
    groups = {
        "dbt_nightly": ("nightly_models",),
        "dbt_current": ("current_models",),
        "checks": tuple(checks),
        "publish": (PUBLISH_STEP,),
    }
    for name, keys in groups.items():
        found = [ev.steps[k] for k in keys if k in ev.steps]
        if found:
            windows[name] = [(min(s["start"] for s in found), max(s["end"] for s in found))]
    windows["after_run"] = [(ev.run_end, ended)]
    return rounded(stages), windows


def dbt_results(target: Path) -> dict:
    """dbt's own account of one `dbt build`: its elapsed time and node times by kind."""
    path = target / "run_results.json"
    if not path.is_file():
        return {}
    results = json.loads(path.read_text(encoding="utf-8"))
    by_kind: dict[str, float] = {}
    nodes = []
    for r in results["results"]:
        kind = r["unique_id"].split(".", 1)[0]
        by_kind[kind] = by_kind.get(kind, 0.0) + (r.get("execution_time") or 0.0)
        nodes.append((r.get("execution_time") or 0.0, r["unique_id"]))
    nodes.sort(reverse=True)
    return rounded(
        {
            "elapsed_s": results.get("elapsed_time") or 0.0,
            "node_s": {f"{k}_s": v for k, v in sorted(by_kind.items())},
            "nodes": len(nodes),
            "slowest": [{"node": n, "seconds": s} for s, n in nodes[:5]],
        }
    )
