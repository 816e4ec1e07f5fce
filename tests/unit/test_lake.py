"""`rapport.lake.Lake`: the paths it names are the ones the ingest and the run state write."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rapport.contract import OBJECTS, objects_of
from rapport.ingest.hashes import LandingHashes
from rapport.ingest.raw_tables import ensure_delivery_schema, ensure_schema_partitions
from rapport.lake import PART, QUARANTINE, RAW, Lake
from rapport.load_nights import load_source_nights
from rapport.paths import Paths
from rapport.pending import record_published
from tests.landing_builder import account, sf, write_delivery

NIGHT = date(2026, 9, 1)
ZONES = (RAW, QUARANTINE)


def test_every_named_path_is_where_a_loaded_night_wrote(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_delivery(landing, "crm", NIGHT, {"accounts": [account("A", "Alpha", sf(NIGHT))]})
    paths = Paths.resolve(tmp_path / "warehouse.duckdb", landing=landing)
    load_source_nights(paths, "crm", [NIGHT], hashes=LandingHashes(settled_ns=0))
    record_published(paths.lake)
    ensure_schema_partitions(paths.lake)
    ensure_delivery_schema(paths.lake)

    lake = Lake(paths.lake)
    named = [
        *(lake.partition(zone, o, NIGHT) / PART for o in objects_of("crm") for zone in ZONES),
        lake.load_record("crm", NIGHT),
        lake.deliveries_partition("crm", NIGHT) / PART,
        lake.deliveries_schema_file,
        lake.published_state,
        lake.landing_hashes,
        *(lake.schema_file(o.source, o.name) for o in OBJECTS),
    ]
    assert [p for p in named if not p.is_file()] == []
    written = {p for p in paths.lake.rglob("*") if p.is_file()}
    assert written == set(named)  # nothing written that the lake does not name
    assert not any(lake.scratch_root.rglob("*.parquet"))  # scratch emptied
    assert paths.build_db == lake.build_db
    assert lake.raw_partition("crm", "accounts", NIGHT) == lake.partition(
        RAW, objects_of("crm")[0], NIGHT
    )
