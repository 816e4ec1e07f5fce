"""A BI reader in its own process: queries the serving warehouse read-only in a loop until
told to stop, and reports what it saw (used by tests/test_serving.py)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def read_once(warehouse: Path) -> str:
    """One consistent look: the published night, and the marts all of that night."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        night = con.execute("select as_of_date from rapport.publication").fetchall()[0][0]
        risk_nights = con.execute(
            "select distinct as_of_date from marts.account_loyalty_risk"
        ).fetchall()
        watch_nights = con.execute(
            "select distinct as_of_date from marts.satisfied_at_risk"
        ).fetchall()
        history_last = con.execute(
            "select max(as_of_date) from marts.account_loyalty_history"
        ).fetchall()
    finally:
        con.close()
    seen = {r[0] for r in risk_nights} | {r[0] for r in watch_nights} | {history_last[0][0]}
    if seen != {night}:
        raise AssertionError(f"mixed nights in one read: publication {night}, marts {sorted(seen)}")
    return night.isoformat()


def main(warehouse: str, stop_file: str, report: str) -> None:
    reads, errors, nights = 0, [], []
    while not Path(stop_file).exists():
        try:
            night = read_once(Path(warehouse))
            if not nights or nights[-1] != night:
                nights.append(night)
            reads += 1
        except Exception as exc:  # every failure is a finding: report it
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.02)
    Path(report).write_text(json.dumps({"reads": reads, "errors": errors, "nights": nights}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
