"""Write-audit-publish: BI readers are never blocked and never see a half-built night, and a
run killed at any stage leaves the serving warehouse intact and recovers by itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from rapport.publish import publish
from tests.pipeline_helpers import BuiltStates, Installation, generate, marts_digest

START = date(2026, 9, 1)
RAPPORT = str(Path(sys.executable).with_name("rapport"))


def _generate_120(inst: Installation) -> None:
    generate(inst.landing.parent, 120, START, 4, seed=3)


def _night_1(inst: Installation) -> None:
    _generate_120(inst)
    assert inst.run("--date", "2026-09-01") == 0


def _every_night(inst: Installation) -> None:
    _generate_120(inst)
    assert inst.run() == 0


@pytest.fixture
def after_night_1(built_states: BuiltStates, tmp_path: Path) -> Installation:
    """The generated landing (120 accounts, 4 nights) with night 1 run, the test's own copy."""
    return built_states.copy("serving_night_1", _night_1, tmp_path / "inst")


@pytest.fixture
def clean_load(built_states: BuiltStates, tmp_path: Path) -> Installation:
    """The same landing with every night run in one clean load, the test's own copy."""
    return built_states.copy("serving_every_night", _every_night, tmp_path / "clean")


def test_readers_are_never_blocked_and_see_one_night(after_night_1: Installation, tmp_path):
    inst = after_night_1
    stop, report = tmp_path / "stop", tmp_path / "report.json"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.e2e.serving_reader",
            str(inst.warehouse),
            str(stop),
            str(report),
        ],
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert inst.run() == 0  # the remaining nights, while the reader reads
        time.sleep(1)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    seen = json.loads(report.read_text())
    assert seen["errors"] == []
    assert seen["reads"] > 20
    assert seen["nights"][0] == "2026-09-01"
    assert seen["nights"][-1] == "2026-09-04"


def _run_and_kill(inst: Installation, marker: str, log: Path) -> None:
    """Start `rapport run`, kill -9 its whole process tree when the log shows `marker`."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                RAPPORT,
                "run",
                "--verbose",
                "--landing",
                str(inst.landing),
                "--warehouse",
                str(inst.warehouse),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.time() + 300
    while marker not in log.read_text() and time.time() < deadline:
        assert proc.poll() is None, f"run ended before {marker!r}"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize(
    "marker",
    [
        'Started execution of step "ingest_support"',
        "START sql table model intermediate.int_signals_detected",
        'Started execution of step "current_models"',
    ],
    ids=["during-ingest", "during-dbt", "during-marts"],
)
def test_a_killed_run_leaves_serving_intact_and_recovers(
    after_night_1: Installation, clean_load: Installation, tmp_path, marker
):
    inst = after_night_1
    before = marts_digest(inst.warehouse)
    _run_and_kill(inst, marker, tmp_path / "killed.log")
    assert marts_digest(inst.warehouse) == before
    assert inst.run() == 0  # no manual cleanup
    assert marts_digest(inst.warehouse) == marts_digest(clean_load.warehouse)


def test_a_publish_killed_halfway_leaves_no_trace(after_night_1: Installation):
    inst = after_night_1
    before = marts_digest(inst.warehouse)
    leftover = inst.warehouse.with_name(f".{inst.warehouse.name}.publishing")
    leftover.write_bytes(b"half a file")  # what a publish killed before its rename leaves
    assert marts_digest(inst.warehouse) == before
    publish(inst.paths.build_db, inst.warehouse)
    assert not leftover.exists()
    assert marts_digest(inst.warehouse) == before
