"""What `rapport run` adds to its verdict: the repair of a damaged raw partition (issue 11),
and the files of a delivery it does not read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rapport.paths import Paths
from rapport.run_guard import repair_hint, unlisted_lines
from tests.landing_builder import write_delivery


def test_a_failure_naming_a_raw_partition_says_how_to_rebuild_it() -> None:
    message = (
        "step dbt failed: IO Error: No magic bytes found at end of file "
        "'/srv/lake/raw/crm/accounts/dt=2026-09-04/part-0.parquet'"
    )
    assert repair_hint(message).endswith(
        "(rebuild raw/crm/accounts/dt=2026-09-04/part-0.parquet: "
        "`rapport run --force --date 2026-09-04`)"
    )
    assert repair_hint("step x failed: no file named") == "step x failed: no file named"


def test_files_the_contract_does_not_know_are_named_once_per_name(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    nights = [date(2026, 9, 1), date(2026, 9, 2), date(2026, 9, 3)]
    for night in nights:
        folder = write_delivery(landing, "crm", night)
        (folder / "leads.csv").write_text("Id\n")
        (folder / ".DS_Store").write_text("")  # hidden: not a word
    (folder / "accounts.csv").rename(folder / "Accounts.csv")
    write_delivery(landing, "support", nights[0])
    paths = Paths.resolve(tmp_path / "w.duckdb", landing=landing)

    lines = unlisted_lines(paths, {"crm": nights, "support": nights[:1]})

    assert lines == [
        "not read: crm/dt=2026-09-03/Accounts.csv: file names are exact: "
        "did you mean accounts.csv?",
        "not read: leads.csv in 3 crm deliveries (2026-09-01 .. 2026-09-03): not a file of "
        "the contract (accounts.csv, users.csv, contacts.csv, opportunities.csv, tasks.csv, "
        "account_history.csv)",
    ]
