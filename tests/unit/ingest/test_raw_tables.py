"""`rapport.ingest.raw_tables`: the raw zone's declared schema (the contract's) is exactly
what the ingest writes."""

from __future__ import annotations

from datetime import date

import polars as pl

from rapport.contract import SOURCES, objects_of, raw_schema
from rapport.ingest import ingest_delivery
from rapport.ingest.raw_tables import ensure_schema_partitions
from rapport.lake import PART, RAW, Lake
from tests.landing_builder import account, sf, write_delivery


def test_schema_partitions_match_ingested_partitions(tmp_path):
    night = date(2026, 9, 1)
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    write_delivery(landing, "crm", night, {"accounts": [account("A", "Alpha", sf(night))]})
    for source in ("support", "surveys"):
        write_delivery(landing, source, night)
    for source in SOURCES:
        ingest_delivery(landing, lake, source, night)
    ensure_schema_partitions(lake)
    for source in SOURCES:
        for obj in objects_of(source):
            layout = Lake(lake)
            written = pl.read_parquet_schema(layout.partition(RAW, obj, night) / PART)
            declared = pl.read_parquet_schema(layout.schema_file(source, obj.name))
            assert dict(written) == dict(declared) == raw_schema(obj), obj.qualified
