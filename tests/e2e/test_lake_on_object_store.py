"""A lake on an object store gives the same nights as a local lake, row for row.

One small landing (four nights, one bad row on night 1) goes through `rapport run` with
`--lake s3://<bucket>/prod` on a real S3-compatible server (moto's, on 127.0.0.1) twice:
nights 1-3, then night 4 once it is delivered; its ingest uploads the raw zone there and
dbt-duckdb reads it back over HTTP through fsspec. Another installation keeps its lake on
disk and runs the four nights at once (a later night adds to what earlier runs built exactly
as a range does: tests/e2e/test_nights.py). Every published mart must hold the same rows,
and the bad row must be quarantined the same way.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from rapport.contract import OBJECTS
from rapport.ingest import loaded_deliveries
from tests.pipeline_helpers import PUBLISHED_MODELS, Installation, generate, mart_rows
from tests.s3_server import S3Server, point_rapport_at, s3_server

START = date(2026, 10, 1)
NIGHTS = [f"dt=2026-10-0{d}" for d in range(1, 5)]
SOURCES = ("crm", "support", "surveys")
PREFIX = "prod"


def _spoil_one_arr(landing: Path) -> None:
    """Night 1's first account gets an ARR that is not a number (one row to quarantine)."""
    path = landing / "crm" / NIGHTS[0] / "accounts.csv"
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        names, rows = list(reader.fieldnames or []), list(reader)
    rows[0]["ARR__c"] = "lots"
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.DictWriter(f, names, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    (path.parent / "_SUCCESS").touch()  # the marker last, as a delivery does


def _run_nights(template: Path, root: Path, *lake: str) -> Installation:
    landing = root / "landing"
    shutil.copytree(template, landing)
    inst = Installation(landing, root / "warehouse.duckdb", root / "labels.csv")
    for source in SOURCES:
        (landing / source / NIGHTS[-1] / "_SUCCESS").rename(landing / source / NIGHTS[-1] / "HELD")
    assert inst.run(*lake) == 0
    for source in SOURCES:
        (landing / source / NIGHTS[-1] / "HELD").rename(landing / source / NIGHTS[-1] / "_SUCCESS")
    assert inst.run(*lake) == 0
    return inst


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, object]:
    template = generate(tmp_path_factory.mktemp("landing"), 25, START, 4, seed=5).landing
    _spoil_one_arr(template)
    local_root = tmp_path_factory.mktemp("local")
    local = Installation(
        shutil.copytree(template, local_root / "landing"),
        local_root / "warehouse.duckdb",
        local_root / "labels.csv",
    )
    assert local.run() == 0
    with s3_server() as server, pytest.MonkeyPatch.context() as env:
        point_rapport_at(server, env)
        remote = _run_nights(template, tmp_path_factory.mktemp("s3"), "--lake", server.url(PREFIX))
        yield {"local": local, "s3": remote, "server": server}


def test_the_raw_zone_is_in_the_bucket_and_not_on_disk(runs):
    server: S3Server = runs["server"]
    keys = set(server.keys(f"{PREFIX}/"))
    for obj in OBJECTS:
        base = f"{PREFIX}/raw/{obj.source}/{obj.name}"
        assert f"{base}/_schema/part-0.parquet" in keys
        for night in NIGHTS:
            assert f"{base}/{night}/part-0.parquet" in keys, f"{obj.qualified} {night}"
    for source in SOURCES:
        for night in NIGHTS:
            assert f"{PREFIX}/raw/rapport/deliveries/{source}/{night}/part-0.parquet" in keys
    assert {k.split("/")[1] for k in keys} == {"raw", "exports"}
    inst: Installation = runs["s3"]
    assert not (inst.paths.lake / "raw").exists()
    assert inst.paths.build_db.exists()  # the build warehouse stays local


def test_the_published_marts_are_on_the_store_too(runs):
    """Each published night's Parquet exports are copied beside the raw zone, marker last."""
    server: S3Server = runs["server"]
    inst: Installation = runs["s3"]
    night = NIGHTS[-1].removeprefix("dt=")
    keys = set(server.keys(f"{PREFIX}/exports/{night}/"))
    local = sorted(p.name for p in (inst.paths.exports_dir / night).iterdir())
    assert keys == {f"{PREFIX}/exports/{night}/{name}" for name in [*local, "_SUCCESS"]}
    body = (
        server.client()
        .get_object(
            Bucket=server.bucket, Key=f"{PREFIX}/exports/{night}/marts.account_loyalty_risk.parquet"
        )["Body"]
        .read()
    )
    exported = pl.read_parquet(body)
    [(served,)] = inst.serving_query("select count(*) from marts.account_loyalty_risk")
    assert exported.height == served > 0


@pytest.mark.parametrize(
    ("schema", "table"), PUBLISHED_MODELS, ids=[t for _, t in PUBLISHED_MODELS]
)
def test_every_mart_is_the_same_as_on_a_local_lake(runs, schema, table):
    local_columns, local_rows = mart_rows(runs["local"].warehouse, schema, table)
    s3_columns, s3_rows = mart_rows(runs["s3"].warehouse, schema, table)
    assert s3_columns == local_columns
    assert s3_rows == local_rows, (
        f"{table}: {sum((local_rows - s3_rows).values())} rows only on the local lake, "
        f"{sum((s3_rows - local_rows).values())} only on the object store"
    )
    assert local_rows, f"{table} is empty: the comparison would prove nothing"


def test_the_bad_row_is_quarantined_the_same_way(runs):
    found = {}
    for name in ("local", "s3"):
        inst: Installation = runs[name]
        quarantine = inst.paths.lake / "quarantine" / "crm" / "accounts"
        rows = pl.read_parquet(quarantine / "*" / "*.parquet").sort("extract_date", "line")
        found[name] = rows.select("extract_date", "file", "line", "column", "reason").rows()
        records = loaded_deliveries(inst.paths.lake, "crm")
        for record in records.values():
            for obj in record["objects"].values():
                assert obj["rows_read"] == obj["rows_loaded"] + obj["rows_quarantined"]
        assert records[date(2026, 10, 1)]["objects"]["accounts"]["rows_quarantined"] == 1
    assert found["s3"] == found["local"]
    [(night, file, line, column, reason)] = found["s3"]
    assert (night, file, column) == (date(2026, 10, 1), "crm/dt=2026-10-01/accounts.csv", "ARR__c")
    assert line == 2 and "lots" in reason
