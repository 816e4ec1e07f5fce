"""The ingest's loading and validation run in a child process of the step (so their memory
goes back to the system before dbt): a run gives the same results, the load's lines still
reach the run's event log before the validation, errors keep their type and message, and no
process is left behind."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import psutil
import pytest

from rapport.contract import SOURCES, objects_of
from rapport.deliveries import load_source_nights, loads_of
from rapport.ingest import IngestError
from rapport.quality import result_path
from rapport.runner import dagster_instance
from rapport.settings import Paths
from rapport.step_process import StepProcess
from tests.landing_builder import account, owner, sf, write_delivery
from tests.pipeline_helpers import Installation

N1 = date(2026, 9, 1)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


def _logger(name: str) -> tuple[logging.Logger, Lines]:
    log = logging.getLogger(f"tests.step_process.{name}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    lines = Lines()
    log.addHandler(lines)
    return log, lines


def _children() -> list[psutil.Process]:
    """This process's children, but multiprocessing's resource tracker (one per process, 12
    MiB, started with the first child)."""
    return [
        p for p in psutil.Process().children() if "resource_tracker" not in " ".join(p.cmdline())
    ]


def _crm(landing: Path) -> None:
    write_delivery(
        landing,
        "crm",
        N1,
        {
            "users": [owner(sf(N1))],
            "accounts": [
                account("A", "Alpha", sf(N1)),
                account("B", "Beta", sf(N1), ARR__c="lots"),  # quarantined
            ],
        },
    )


def test_a_load_in_the_child_gives_what_a_load_in_process_gives(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _crm(landing)
    here = Paths.resolve(tmp_path / "here" / "w.duckdb", landing=landing)
    there = Paths.resolve(tmp_path / "there" / "w.duckdb", landing=landing)
    log_here, lines_here = _logger("here")
    log_there, lines_there = _logger("there")

    expected = load_source_nights(here, "crm", [N1, date(2026, 9, 2)], log=log_here)
    with StepProcess(log_there) as child:
        got = child.load(there, "crm", [N1, date(2026, 9, 2)], force=False)

    assert got == expected
    assert lines_there.lines == lines_here.lines
    assert (logging.INFO, f"crm {N1}: 2 rows loaded, 1 quarantined, 0 file(s) rejected") in (
        lines_there.lines
    )
    assert [
        (e["object"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"])
        for e in loads_of(there.lake, "crm", got.nights)
    ] == [
        (e["object"], e["rows_read"], e["rows_loaded"], e["rows_quarantined"])
        for e in loads_of(here.lake, "crm", expected.nights)
    ]
    assert _children() == []  # the child has ended


def test_an_error_in_the_child_is_raised_with_its_type_and_message(tmp_path: Path) -> None:
    paths = Paths.resolve(tmp_path / "w.duckdb", landing=tmp_path / "no-landing")
    with pytest.raises(IngestError, match=r"landing folder .*no-landing does not exist"):
        load_source_nights(paths, "crm", [N1])
    with (
        pytest.raises(IngestError, match=r"landing folder .*no-landing does not exist"),
        StepProcess(logging.getLogger("tests.step_process.error")) as child,
    ):
        child.load(paths, "crm", [N1], force=False)
    assert _children() == []


@pytest.mark.slow
def test_a_run_logs_each_load_before_validating_and_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "rapport.toml"
    config.write_text("[ingest]\nisolate_above_mib = 0\n")  # every night in a child
    monkeypatch.setattr("rapport.config.DEFAULT_CONFIG", config)
    inst = Installation(tmp_path / "landing", tmp_path / "warehouse.duckdb", tmp_path / "l.csv")
    _crm(inst.landing)
    write_delivery(inst.landing, "support", N1)
    write_delivery(inst.landing, "surveys", N1)
    assert inst.run("--release") == 0  # the quarantined row is over the gate's share
    assert _children() == []

    with dagster_instance(inst.paths) as instance:
        run = instance.get_runs(limit=1)[0]
        entries = instance.all_logs(run.run_id)
    messages = {
        (e.step_key, e.user_message): e.timestamp
        for e in entries
        if e.dagster_event is None and e.step_key
    }
    checks = [
        e.dagster_event.event_specific_data
        for e in entries
        if e.dagster_event
        and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.step_key.startswith("ingest_")
    ]
    assert {c.check_name for c in checks} == {"contract_suite"}
    assert len(checks) == sum(len(objects_of(s)) for s in SOURCES)
    assert all(c.passed for c in checks)
    expected = {
        "crm": f"crm {N1}: 2 rows loaded, 1 quarantined, 0 file(s) rejected",
        "support": f"support {N1}: 0 rows loaded, 0 quarantined, 0 file(s) rejected",
        "surveys": f"surveys {N1}: 0 rows loaded, 0 quarantined, 0 file(s) rejected",
    }
    for source, line in expected.items():
        assert any(
            step == f"ingest_{source}" and text.endswith("loading in a child process")
            for step, text in messages
        )
        logged = messages[(f"ingest_{source}", line)]
        # in the event log when the load ended, before the validation wrote its results
        for obj in objects_of(source):
            validated = result_path(inst.paths.quality_dir, source, obj.name, N1)
            assert logged < validated.stat().st_mtime, (source, obj.name)
