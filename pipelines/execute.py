"""One Dagster run of the nightly job over a planned range of nights, in this process.

What the `rapport run` command needs from Dagster lives here: the instance, the run's tags
and config, and the one-line reason of a failed run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

# No public API opens an instance from a given folder: DagsterInstance.get() reads
# $DAGSTER_HOME only, and the CLI's default home is beside the warehouse.
from dagster._core.instance.ref import InstanceRef

from pipelines.defs import build_definitions
from pipelines.defs.ingest import ingest_step
from pipelines.defs.partitions import range_tags
from pipelines.defs.resources import explicit_resources
from rapport.dagster_home import prepare_dagster_home
from rapport.first_night import first_night
from rapport.paths import Paths
from rapport.plan import RunPlan


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    message: str
    # the non-blocking checks that failed, one line each (`warnings_of`)
    warnings: tuple[str, ...] = ()


def dagster_instance(paths: Paths) -> dg.DagsterInstance:
    """The Dagster instance under $DAGSTER_HOME, else beside the warehouse."""
    home = prepare_dagster_home(Path(os.environ.get("DAGSTER_HOME") or paths.dagster_home))
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


def execute(
    paths: Paths,
    plan: RunPlan,
    force: bool = False,
    release: bool = False,
    log_level: str = "WARNING",
    run_id: str | None = None,
    engine: str = "",
) -> RunOutcome:
    """One Dagster run of the nightly job over the plan's range of nights. The nights'
    partitions start at the installation's first night (or the plan's, if earlier).
    `engine`: the engine that runs the models ("duckdb" or "spark"; empty: rapport.toml's
    [engine])."""
    first = min(plan.night_from, first_night(paths) or plan.night_from)
    resources = explicit_resources(paths, engine)
    resources["rapport"].engine.require_installed()
    definitions = build_definitions(resources, first_night=first)
    job = definitions.resolve_job_def("nightly")
    tags = {
        **range_tags(plan.night_from, plan.night_to),
        "rapport/warehouse": str(paths.warehouse),
    }
    run_config = {
        "ops": {
            ingest_step(s): {"config": {"force": force, "release": release}} for s in plan.pending
        },
        # the console shows this level and up; the Dagster instance keeps every event
        # `progress` hands the run's events to the console's display (rapport.progress)
        "loggers": {"console": {"config": {"log_level": log_level}}, "progress": {}},
    }
    with dagster_instance(paths) as instance:
        result = job.execute_in_process(
            instance=instance,
            tags=tags,
            run_config=run_config,
            raise_on_error=False,
            run_id=run_id,
        )
    skipped = skipped_steps(result)
    if result.success and not skipped:
        return RunOutcome(True, result.run_id, f"ok: {plan.describe()}", warnings_of(result))
    if result.success:
        # Dagster counts a run whose steps were skipped (an upstream step yielded no output,
        # e.g. dbt events it could not parse) as a success: nothing was published
        return RunOutcome(
            False, result.run_id, f"steps skipped, nothing published: {', '.join(skipped)}"
        )
    return RunOutcome(False, result.run_id, first_failure(result))


def skipped_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.step_key for e in result.all_events if e.is_step_skipped and e.step_key]


def warnings_of(result: dg.ExecuteInProcessResult) -> tuple[str, ...]:
    """The non-blocking (WARN) checks that failed, one line each: which asset and check, and
    what it found. A check evaluated once per night of a range reports its latest night."""
    latest: dict[tuple[str, str], str] = {}
    for check in result.get_asset_check_evaluations():
        if not check.passed and check.severity == dg.AssetCheckSeverity.WARN:
            where = ("/".join(check.asset_key.path), check.check_name)
            latest[where] = _finding(check.metadata)
    return tuple(f"{asset} {name}: {finding}" for (asset, name), finding in latest.items())


def _finding(metadata: dict[str, dg.MetadataValue]) -> str:
    """A failed check's finding in words: its own summary, else dbt's count of failing rows."""
    for key in ("summary", "first_blocking_failure"):
        if key in metadata:
            return str(metadata[key].value)
    failing = metadata.get("dagster_dbt/failed_row_count")
    if failing is not None:
        return f"{failing.value} rows fail this dbt test (severity warn)"
    return "failed"


def _failed_checks(result: dg.ExecuteInProcessResult) -> str | None:
    """The blocking checks that stopped the night, as one line: which asset, and its first
    failure with the night, column, rule, count and example lines."""
    failed = [
        e
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    if not failed:
        return None
    lines = []
    for check in failed:
        first = check.metadata.get("first_blocking_failure")
        detail = first.value if first is not None else "failed"
        lines.append(f"{'/'.join(check.asset_key.path)} {check.check_name}: {detail}")
    more = f" (+{len(lines) - 1} more objects)" if len(lines) > 1 else ""
    return f"the contract checks stopped the night: {lines[0]}{more}"


def first_failure(result: dg.ExecuteInProcessResult) -> str:
    """One line: the first failed step and why (a Failure's own description when it has one)."""
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:
                text = data.user_failure_data.description
            elif data.error:
                error = data.error.cause or data.error
                text = _failed_checks(result) or error.message
            else:
                text = "no reason given"
            return f"step {event.step_key} failed: {' '.join(text.split())[:500]}"
    return "run failed"
