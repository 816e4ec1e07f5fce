"""The raw zone's declared schema is exactly what the ingest writes."""

from __future__ import annotations

from datetime import date

import polars as pl

from rapport.contract import SOURCES, objects_of
from rapport.ingest import ingest_delivery
from rapport.raw_schema import ensure_schema_partitions, raw_schema
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
            folder = lake / "raw" / source / obj.name
            written = pl.read_parquet_schema(folder / f"dt={night}" / "part-0.parquet")
            declared = pl.read_parquet_schema(folder / "_schema" / "part-0.parquet")
            assert dict(written) == dict(declared) == raw_schema(obj), obj.qualified
