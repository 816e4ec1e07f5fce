"""What `rapport run` adds to a failure: the repair of a damaged raw partition (issue 11)."""

from __future__ import annotations

from rapport.run_guard import repair_hint


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
