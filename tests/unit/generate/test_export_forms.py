"""The `export` encoding spells the same values as other systems would; the ingest reads
every spelling back to the same value: an `export` landing loads, row for row and value for
value, as the `contract` landing of the same seed (docs/extracts.md, "Value forms")."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from rapport.contract import OBJECTS
from rapport.generate import generate
from rapport.generate.variant import Variant
from rapport.ingest import ingest_object
from rapport.lake import PART, RAW, Lake

ACCOUNTS, START, DAYS, SEED = 300, date(2026, 9, 1), 3, 5
NIGHTS = [START + timedelta(days=i) for i in range(DAYS)]


def _loaded(root: Path, encoding: str) -> dict[tuple[str, date], pl.DataFrame]:
    """Generate a landing in `encoding`, ingest every object and night, read the raw zone."""
    landing, lake = root / "landing", root / "lake"
    generate(landing, ACCOUNTS, START, DAYS, SEED, variant=Variant(encoding=encoding))
    out: dict[tuple[str, date], pl.DataFrame] = {}
    for obj in OBJECTS:
        for night in NIGHTS:
            load = ingest_object(landing, lake, obj, night)
            assert load.rejected is None, (obj.qualified, night, load.rejected)
            assert load.rows_quarantined == 0, (obj.qualified, night)
            raw = pl.read_parquet(Lake(lake).partition(RAW, obj, night) / PART)
            out[(obj.qualified, night)] = raw.drop("_file")
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    return (
        _loaded(tmp_path_factory.mktemp("contract"), "contract"),
        _loaded(tmp_path_factory.mktemp("export"), "export"),
    )


def test_an_export_landing_loads_every_row(both: tuple[dict, dict]) -> None:
    contract, export = both
    assert sum(f.height for f in export.values()) == sum(f.height for f in contract.values())
    assert sum(f.height for f in export.values()) > 1000


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: o.qualified)
def test_every_export_form_means_the_contract_value(both: tuple[dict, dict], obj) -> None:
    contract, export = both
    for night in NIGHTS:
        assert export[(obj.qualified, night)].equals(contract[(obj.qualified, night)]), night


def test_the_export_landing_really_uses_other_forms(tmp_path: Path) -> None:
    """The forms the comparison above proves readable are there to be read."""
    landing = tmp_path / "landing"
    generate(landing, ACCOUNTS, START, DAYS, SEED, variant=Variant(encoding="export"))
    text = "".join(p.read_text("utf-8-sig") for p in landing.rglob("dt=*/*.*") if p.is_file())
    for form in ("-05:00", ".000Z", "T00:00:00", ".0,", ",CUSTOMER,", "arr__c", '"SOLVED"'):
        assert form in text, form
