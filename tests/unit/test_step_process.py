"""The ingest's loading and validation run in a child process of the step (so their memory
goes back to the system before dbt): a run gives the same results, the load's lines still
reach the run's event log before the validation, errors keep their type and message, and no
process is left behind."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from rapport.deliveries import load_source_nights, loads_of
from rapport.ingest import IngestError
from rapport.settings import Paths
from rapport.step_process import StepProcess
from tests.landing_builder import child_processes as _children
from tests.landing_builder import crm_night as _crm

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
