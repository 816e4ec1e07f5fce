"""Running nights through Dagster: which nights to run, and one Dagster run per range."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rapport.deliveries import all_pending, delivered_nights
from rapport.manifest import ensure_manifest
from rapport.settings import Paths, SettingsError


@dataclass(frozen=True)
class RunPlan:
    night_from: date
    night_to: date
    pending: dict[str, list[date]]

    def describe(self) -> str:
        in_range = {
            s: [d for d in days if self.night_from <= d <= self.night_to]
            for s, days in self.pending.items()
        }
        loads = ", ".join(f"{s}: {len(d)}" for s, d in in_range.items() if d) or "none"
        return f"nights {self.night_from} .. {self.night_to} (deliveries to load: {loads})"


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    message: str


def plan_run(
    paths: Paths,
    night: date | None = None,
    night_from: date | None = None,
    night_to: date | None = None,
) -> RunPlan | None:
    """The range to run. Without dates: from the earliest pending delivery to the latest
    delivered night (a late delivery recomputes the nights after it). None: nothing to do.
    With dates, only the deliveries of that range are looked at."""
    paths.require_landing()
    if night is not None:
        return RunPlan(night, night, all_pending(paths, (night, night)))
    if night_from is not None or night_to is not None:
        delivered = delivered_nights(paths)
        lo = night_from or min(delivered, default=None)
        hi = night_to or max(delivered, default=None)
        if lo is None or hi is None:
            raise SettingsError(f"no complete delivery in {paths.landing}")
        if lo > hi:
            raise SettingsError(f"--from {lo} is after --to {hi}")
        return RunPlan(lo, hi, all_pending(paths, (lo, hi)))
    pending = all_pending(paths)
    earliest = min((d for days in pending.values() for d in days), default=None)
    if earliest is None:
        return None
    return RunPlan(earliest, max(delivered_nights(paths)), pending)


def dagster_instance(paths: Paths):
    """The Dagster instance under $DAGSTER_HOME, else beside the warehouse."""
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    home = Path(os.environ.get("DAGSTER_HOME") or paths.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    ensure_instance_config(home)
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


INSTANCE_CONFIG = """\
# Written by Rapport when the instance had no configuration. The ingest and publish steps
# are in pool `rapport_writer`: one run at a time may hold it (runs launched by the daemon,
# e.g. `dagster dev` sensors and schedules, queue for it). `rapport run` also takes the
# lake's lock (<lake>/state/run.lock), so runs from the CLI and the UI never overlap.
concurrency:
  pools:
    default_limit: 1
    granularity: run
"""


def ensure_instance_config(home: Path) -> None:
    """Give a new Dagster instance the pool limit Rapport relies on (an existing
    `dagster.yaml` is the user's: it is left as it is)."""
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")


def execute(
    paths: Paths,
    plan: RunPlan,
    force: bool = False,
    release: bool = False,
    log_level: str = "WARNING",
    run_id: str | None = None,
) -> RunOutcome:
    """One Dagster run of the nightly job over the plan's range of nights."""
    ensure_manifest()
    from pipelines.defs import build_definitions
    from pipelines.defs.resources import explicit_resources

    job = build_definitions(explicit_resources(paths)).resolve_job_def("nightly")
    if not gc.isenabled():
        # `rapport run` imported and built the definitions without cyclic GC: keep those
        # objects out of every later collection (they live until the process ends anyway)
        gc.freeze()
        gc.enable()
    tags = {
        "dagster/asset_partition_range_start": plan.night_from.isoformat(),
        "dagster/asset_partition_range_end": plan.night_to.isoformat(),
        "rapport/warehouse": str(paths.warehouse),
    }
    run_config = {
        "ops": {
            f"ingest_{s}": {"config": {"force": force, "release": release}} for s in plan.pending
        },
        # the console shows this level and up; the Dagster instance keeps every event
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }
    with dagster_instance(paths) as instance:
        result = job.execute_in_process(
            instance=instance,
            tags=tags,
            run_config=run_config,
            raise_on_error=False,
            run_id=run_id,
        )
    if result.success:
        return RunOutcome(True, result.run_id, f"ok: {plan.describe()}")
    return RunOutcome(False, result.run_id, _first_failure(result))


def _first_failure(result) -> str:
    """One line: the first failed step and why (a Failure's own description when it has one)."""
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:
                text = data.user_failure_data.description
            elif data.error:
                error = data.error.cause or data.error
                text = error.message
            else:
                text = "no reason given"
            return f"step {event.step_key} failed: {' '.join(text.split())[:500]}"
    return "run failed"
