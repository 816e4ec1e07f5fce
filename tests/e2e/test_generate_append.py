"""`rapport generate --append N`: one more night arrives, and the next run loads it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.cli import main
from rapport.contract import SOURCES
from rapport.ingest import loaded_deliveries
from tests.pipeline_helpers import Installation

START = date(2026, 10, 1)


def test_an_appended_night_is_loaded_by_the_next_run(tmp_path: Path) -> None:
    options = ["--labels", str(tmp_path / "labels.csv"), "--accounts", "40",
               "--start", START.isoformat(), "--seed", "9", "--horizon", "5"]  # fmt: skip
    landing = tmp_path / "landing"
    assert main(["generate", "--out", str(landing), *options, "--days", "2"]) == 0
    inst = Installation(landing, tmp_path / "warehouse.duckdb", tmp_path / "labels.csv")
    assert inst.run() == 0
    assert main(["generate", "--out", str(landing), *options, "--append", "1"]) == 0
    assert inst.run() == 0

    ((night, accounts),) = inst.serving_query(
        "select max(as_of_date), count(*) from marts.account_loyalty_risk"
    )
    assert night == date(2026, 10, 3)
    assert accounts > 0
    # the new night's deliveries loaded whole: every row read was loaded, none quarantined
    for source in SOURCES:
        record = loaded_deliveries(inst.paths.lake, source)[date(2026, 10, 3)]
        for counts in record["objects"].values():
            assert counts["rows_read"] == counts["rows_loaded"], (source, counts)
            assert counts["rows_quarantined"] == 0
