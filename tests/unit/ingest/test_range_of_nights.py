"""A range of nights loaded and validated in one go keeps each night's guarantees: a bad file
on one night is refused and reported with its night and file, a bad line with its line, and
nothing of a refused file is loaded (real polars and GX on hand-written deliveries)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl

from rapport.load_nights import load_source_nights
from rapport.paths import Paths
from rapport.publish_gates import gate_problems
from rapport.quality import validate_nights
from rapport.quality_gate import GateRule
from tests.landing_builder import crm_range_accounts, write_delivery

FIRST = date(2026, 10, 1)
NIGHTS = [FIRST + timedelta(days=i) for i in range(4)]
BAD_FILE, BAD_LINE = NIGHTS[1], NIGHTS[2]


def _landing(landing: Path) -> None:
    for i, night in enumerate(NIGHTS):
        folder = write_delivery(
            landing, "crm", night, crm_range_accounts(night, i, night == BAD_LINE), complete=False
        )
        if night == BAD_FILE:  # not UTF-8: the whole file is refused
            path = folder / "accounts.csv"
            path.write_bytes(path.read_bytes().replace(b"Acme", b"Acm\xe9"))
        (folder / "_SUCCESS").write_bytes(b"")  # the marker last, as a delivery does


def test_a_bad_file_and_a_bad_line_in_a_range_are_reported_with_their_night(
    tmp_path: Path,
) -> None:
    paths = Paths(
        landing=tmp_path / "landing", lake=tmp_path / "lake", warehouse=tmp_path / "w.duckdb"
    )
    _landing(paths.landing)

    loaded = load_source_nights(paths, "crm", NIGHTS)

    assert loaded.loaded == NIGHTS
    problems = gate_problems(paths.lake, "crm", NIGHTS, GateRule(max_share=0.9))
    assert problems == [
        f"crm/dt={BAD_FILE.isoformat()}/accounts.csv rejected: file is not UTF-8 "
        + problems[0].split("file is not UTF-8 ", 1)[1]
    ]
    assert "(byte 0xe9 at offset" in problems[0]
    # nothing of the refused file is loaded; the other nights are
    raw = paths.lake / "raw" / "crm" / "accounts"
    assert sorted(p.name for p in raw.iterdir()) == [
        f"dt={n.isoformat()}" for n in NIGHTS if n != BAD_FILE
    ]
    quarantined = pl.read_parquet(
        paths.lake / "quarantine" / "crm" / "accounts" / "*" / "*.parquet"
    )
    by_night = {
        (r["extract_date"], r["file"], r["line"]) for r in quarantined.iter_rows(named=True)
    }
    assert (BAD_FILE, f"crm/dt={BAD_FILE.isoformat()}/accounts.csv", None) in by_night
    assert (BAD_LINE, f"crm/dt={BAD_LINE.isoformat()}/accounts.csv", 3) in by_night
    assert len(by_night) == 2

    outcomes = validate_nights(paths.lake, paths.quality_dir, "crm", NIGHTS)
    accounts = {o.extract_date: o for o in outcomes if o.object == "accounts"}
    assert set(accounts) == set(NIGHTS)
    assert "no raw partition" in accounts[BAD_FILE].warnings[0]
    assert accounts[BAD_LINE].rows == 1 and accounts[BAD_LINE].success
    assert all(accounts[n].success for n in NIGHTS)
