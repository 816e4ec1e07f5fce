"""The night window as dbt flags, and each step's target starting from the latest parse."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from rapport.dbt_parse import PARSE_FILE, night_window_args, reuse_latest_parse


def _parse(folder: Path, content: bytes, mtime_ns: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PARSE_FILE
    path.write_bytes(content)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def test_the_window_is_dbts_event_time_with_an_exclusive_end():
    assert night_window_args(date(2026, 9, 30), date(2026, 10, 2)) == [
        "--event-time-start",
        "2026-09-30",
        "--event-time-end",
        "2026-10-03",
    ]
    # a single night is a one-day window, which dbt accepts (start < end)
    assert night_window_args(date(2026, 12, 31), date(2026, 12, 31))[1::2] == [
        "2026-12-31",
        "2027-01-01",
    ]


def test_a_step_starts_from_the_parse_another_step_wrote_last(tmp_path):
    targets = tmp_path / "dbt_target"
    _parse(targets / "current", b"old", 1_000_000_000)
    latest = _parse(targets / "nightly", b"new", 2_000_000_000)
    assert reuse_latest_parse(targets / "current", targets) == latest
    assert (targets / "current" / PARSE_FILE).read_bytes() == b"new"
    # a folder that had none (the docs) gets it too; nothing is left aside
    assert reuse_latest_parse(targets / "docs", targets) == latest
    assert (targets / "docs" / PARSE_FILE).read_bytes() == b"new"
    assert sorted(p.name for p in (targets / "docs").iterdir()) == [PARSE_FILE]


def test_a_step_whose_own_parse_is_the_latest_keeps_it(tmp_path):
    targets = tmp_path / "dbt_target"
    _parse(targets / "current", b"old", 1_000_000_000)
    _parse(targets / "nightly", b"new", 2_000_000_000)
    assert reuse_latest_parse(targets / "nightly", targets) is None
    assert (targets / "nightly" / PARSE_FILE).read_bytes() == b"new"


def test_a_copied_parse_is_not_newer_than_a_later_one(tmp_path):
    """The copy keeps its source's time: a step that parses afterwards still wins."""
    targets = tmp_path / "dbt_target"
    _parse(targets / "nightly", b"first", 1_000_000_000)
    reuse_latest_parse(targets / "current", targets)
    later = _parse(targets / "docs", b"second", 3_000_000_000)
    assert reuse_latest_parse(targets / "current", targets) == later
    assert reuse_latest_parse(targets / "nightly", targets) == later
    assert (targets / "nightly" / PARSE_FILE).read_bytes() == b"second"


def test_a_first_run_has_nothing_to_reuse(tmp_path):
    assert reuse_latest_parse(tmp_path / "dbt_target" / "nightly", tmp_path / "dbt_target") is None
    assert not (tmp_path / "dbt_target").exists()
