"""What the UI shows: partitions from the first night, every asset in a named group, the
`progress` logger, and a sensor that says when a night is older than the partitions."""

from __future__ import annotations

from datetime import date

import dagster as dg

from pipelines.defs import build_definitions
from pipelines.defs.automation import _before_start
from pipelines.defs.resources import explicit_resources
from rapport.plan import RunPlan
from rapport.settings import Paths


def _defs(tmp_path, first):
    paths = Paths.resolve(tmp_path / "w.duckdb", landing=tmp_path / "landing")
    return build_definitions(explicit_resources(paths), first_night=first)


def test_partitions_start_at_the_first_night_and_every_asset_has_a_group(tmp_path):
    graph = _defs(tmp_path, date(2026, 10, 1)).resolve_asset_graph()
    raw = graph.get(dg.AssetKey(["raw", "crm", "accounts"]))
    assert raw.partitions_def.get_first_partition_key() == "2026-10-01"
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert "default" not in groups.values(), [k for k, g in groups.items() if g == "default"]
    assert groups["raw/rapport/deliveries"] == "raw"


def test_a_night_before_the_partitions_asks_for_a_reload():
    plan = RunPlan(date(2026, 9, 28), date(2026, 10, 3), {})
    skip = _before_start(plan, date(2026, 10, 1))
    assert skip is not None and "reload the code location `rapport`" in skip.skip_message
    assert _before_start(plan, date(2026, 9, 28)) is None


def test_the_job_has_a_console_and_a_progress_logger(tmp_path):
    job = _defs(tmp_path, None).resolve_job_def("nightly")
    assert set(job.loggers) == {"console", "progress"}
