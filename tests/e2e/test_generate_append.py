"""`rapport generate --append N`: one more night arrives, and the next run loads it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.cli import main
from rapport.contract import SOURCES
from rapport.ingest import loaded_deliveries
from tests.pipeline_helpers import generate

START = date(2026, 10, 1)


def test_an_appended_night_is_loaded_by_the_next_run(tmp_path: Path) -> None:
    inst = generate(tmp_path, 40, START, 2, seed=9)
    assert inst.run() == 0
    appended = [
        "generate", "--out", str(inst.landing), "--labels", str(inst.labels),
        "--accounts", "40", "--start", START.isoformat(), "--seed", "9", "--append", "1",
    ]  # fmt: skip
    assert main(appended) == 0
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
