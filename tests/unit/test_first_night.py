"""Where the nights' partitions start: the installation's first delivered or loaded night."""

from __future__ import annotations

from datetime import date

from rapport.first_night import first_night
from rapport.settings import Paths


def _deliver(landing, source, night, complete=True):
    folder = landing / source / f"dt={night}"
    folder.mkdir(parents=True)
    if complete:
        (folder / "_SUCCESS").touch()


def test_the_first_complete_delivery_of_any_source(tmp_path):
    paths = Paths.resolve(tmp_path / "w.duckdb")
    assert first_night(paths) is None
    _deliver(paths.landing, "crm", "2026-10-03")
    _deliver(paths.landing, "surveys", "2026-10-02")
    _deliver(paths.landing, "support", "2026-09-30", complete=False)
    assert first_night(paths) == date(2026, 10, 2)
