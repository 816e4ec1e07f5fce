"""When nights run: a sensor per source for new complete deliveries, and a nightly schedule.

Both ask for the same thing as `rapport run` without dates: the range from the earliest
delivery not yet loaded (or changed since) to the latest delivered night, in one run.
"""

from datetime import date

import dagster as dg

from pipelines.defs.jobs import nightly_job
from pipelines.defs.partitions import partitions_start, range_tags
from pipelines.defs.resources import RapportResource
from rapport.config import RapportConfig
from rapport.contract import SOURCES
from rapport.deliveries import pending_nights
from rapport.ingest import delivery_fingerprint
from rapport.plan import RunPlan, plan_run


def _range_tags(plan: RunPlan) -> dict[str, str]:
    return range_tags(plan.night_from, plan.night_to)


def _before_start(plan: RunPlan, start: date) -> dg.SkipReason | None:
    """A night older than the partitions' start cannot run until the definitions are rebuilt."""
    if plan.night_from >= start:
        return None
    return dg.SkipReason(
        f"night {plan.night_from} was delivered but the nights' partitions start at {start}: "
        "reload the code location `rapport` (Deployment > Reload) to extend them"
    )


def build_delivery_sensor(source: str, interval_seconds: int, start: date) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{source}_deliveries",
        job=nightly_job,
        minimum_interval_seconds=interval_seconds,
        description=f"Requests a run when a {source} delivery folder gets its _SUCCESS marker "
        "(or a delivered night changes); folders without the marker are never read.",
    )
    def _sensor(context: dg.SensorEvaluationContext, rapport: RapportResource):
        paths = rapport.paths
        pending = pending_nights(paths, source)
        if not pending:
            return dg.SkipReason(f"no new complete {source} delivery in {paths.landing}")
        plan = plan_run(paths)
        if skip := _before_start(plan, start):
            return skip
        fingerprints = ",".join(
            f"{d}:{delivery_fingerprint(paths.landing, source, d)}" for d in pending
        )
        return dg.RunRequest(run_key=f"{source}|{fingerprints}", tags=_range_tags(plan))

    return _sensor


def build_nightly_schedule(config: RapportConfig, start: date) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="nightly_schedule",
        job=nightly_job,
        cron_schedule=config.schedule.cron,
        execution_timezone=config.schedule.timezone,
        description="Runs every complete delivery not yet loaded, and the nights after it.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext, rapport: RapportResource):
        plan = plan_run(rapport.paths)
        if plan is None:
            return dg.SkipReason("every complete delivery is loaded")
        if skip := _before_start(plan, start):
            return skip
        return dg.RunRequest(tags=_range_tags(plan))

    return _schedule


def build_automation(
    config: RapportConfig, nights: dg.PartitionsDefinition
) -> tuple[list[dg.SensorDefinition], list]:
    start = partitions_start(nights)
    sensors = [build_delivery_sensor(s, config.sensors.interval_seconds, start) for s in SOURCES]
    return sensors, [build_nightly_schedule(config, start)]
