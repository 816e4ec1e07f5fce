"""What `rapport run` prints while it runs, when its output is not a terminal."""

from __future__ import annotations

import io
from datetime import date

from rapport.progress import (
    ProgressEvent,
    choose_mode,
    dbt_started_line,
    emit,
    event_from_message,
    night_loaded_line,
    showing_progress,
)


def test_the_steps_lines_are_read_back_as_events():
    line = night_loaded_line("crm", date(2026, 10, 2), 1553, 2, 0)
    assert line == "crm 2026-10-02: 1553 rows loaded, 2 quarantined, 0 file(s) rejected"
    assert event_from_message("ingest_crm", line) == ProgressEvent(
        "night_loaded", step="ingest_crm", source="crm", night="2026-10-02", rows=1553
    )
    assert event_from_message("nightly_models", dbt_started_line("nightly", 40)) == (
        ProgressEvent("dbt_started", step="nightly", total=40)
    )
    assert event_from_message("ingest_crm", "crm: 12 MiB of landing") is None


def _run_events() -> list[tuple[ProgressEvent, str]]:
    events = [(ProgressEvent("step_started", step="ingest_crm"), "ingest_crm")]
    for i, night in enumerate(("2026-10-01", "2026-10-02")):
        events.append(
            (
                ProgressEvent("night_loaded", source="crm", night=night, rows=100 + i),
                "ingest_crm",
            )
        )
    events.append((ProgressEvent("step_started", step="nightly_models"), "nightly_models"))
    events.append((ProgressEvent("dbt_started", step="nightly", total=25), "nightly_models"))
    for _night in range(2):  # a range of nights: each model once per night
        for n in range(25):
            events.append(
                (
                    ProgressEvent("asset_done", step="nightly_models", asset=f"m{n}"),
                    "nightly_models",
                )
            )
    events.append((ProgressEvent("step_started", step="serving__warehouse"), "serving__warehouse"))
    return events


def test_plain_lines_count_nights_rows_and_models():
    out = io.StringIO()
    with showing_progress({"crm": 2, "support": 0}, out, "plain") as state:
        for event, step in _run_events():
            emit(event, dagster_step=step)
    assert out.getvalue().splitlines() == [
        "- ingest crm",
        "  crm: 1 of 2 nights loaded, 100 rows (night 2026-10-01)",
        "  crm: 2 of 2 nights loaded, 201 rows (night 2026-10-02)",
        "- dbt: staging, intermediate, history",
        "  dbt nightly: building 25 models",
        "  dbt nightly: 10 of 25 models",
        "  dbt nightly: 20 of 25 models",
        "  dbt nightly: 25 of 25 models",
        "- publish",
    ]
    assert state.dbt_done == {"nightly": 25}


def test_quiet_prints_nothing_and_nothing_shows_after_the_run():
    out = io.StringIO()
    with showing_progress({"crm": 2}, out, "quiet"):
        for event, step in _run_events():
            emit(event, dagster_step=step)
    emit(ProgressEvent("step_started", step="late"), dagster_step="late")
    assert out.getvalue() == ""


def test_a_terminal_gets_a_bar_a_pipe_gets_lines():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert choose_mode(Tty(), quiet=False) == "bar"
    assert choose_mode(io.StringIO(), quiet=False) == "plain"
    assert choose_mode(Tty(), quiet=True) == "quiet"


def test_the_bar_renders_to_a_terminal():
    out = io.StringIO()
    with showing_progress({"crm": 2}, out, "bar"):
        for event, step in _run_events():
            emit(event, dagster_step=step)
    text = out.getvalue()
    assert "2/2" in text and "201 rows" in text
    assert "25/25" in text
