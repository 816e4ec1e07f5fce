"""The raw zone on an object store: where a lake URL puts it, how DuckDB is told to read it,
and the ingest and the checks on a real S3-compatible server (moto's, on 127.0.0.1)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from rapport.config import EngineConfig, LakeStoreConfig, load_config
from rapport.engine import Engine
from rapport.lake import RAW, Lake
from rapport.load_nights import load_source_nights
from rapport.paths import Paths, PathsError
from rapport.publish_gates import gate_problems
from rapport.quality import validate_nights
from rapport.quality_gate import GateRule
from rapport.raw_zone import RawZone, profile_filesystem, s3_options, url_protocol
from rapport.retract import retract_night
from rapport.step_process import StepProcess
from tests.landing_builder import crm_range_accounts, write_delivery
from tests.s3_server import point_rapport_at, s3_server

FIRST = date(2026, 10, 1)
NIGHTS = [FIRST + timedelta(days=i) for i in range(3)]
BAD_LINE = NIGHTS[1]


def test_a_lake_url_puts_the_raw_zone_there_and_the_rest_beside_the_warehouse(tmp_path):
    paths = Paths.resolve(tmp_path / "w.duckdb", lake="s3://bucket/team/lake/")

    assert paths.lake_url == "s3://bucket/team/lake"
    assert paths.lake == tmp_path / "lake"  # load records, quarantine, state, build
    assert paths.lake_location == "s3://bucket/team/lake"
    assert paths.raw_zone.root == "s3://bucket/team/lake/raw"
    assert paths.raw_zone.remote
    assert paths.raw_zone.partition_path("crm", "accounts", FIRST) == (
        "s3://bucket/team/lake/raw/crm/accounts/dt=2026-10-01"
    )


def test_a_local_lake_keeps_its_raw_zone_under_it(tmp_path):
    for given in (tmp_path / "mylake", f"file://{tmp_path}/x"):
        paths = Paths.resolve(tmp_path / "w.duckdb", lake=given)
        assert paths.lake_url == "" or url_protocol(str(given)) is None
    paths = Paths.resolve(tmp_path / "w.duckdb", lake=tmp_path / "mylake")
    assert paths.raw_zone.root == (tmp_path / "mylake" / "raw").as_posix()
    assert not paths.raw_zone.remote
    assert paths.raw_zone.schema_path("crm", "users") == (
        f"{(tmp_path / 'mylake').as_posix()}/raw/crm/users/_schema/part-0.parquet"
    )


def test_credentials_come_from_the_named_variables_and_never_into_the_profile(
    tmp_path, monkeypatch
):
    store = LakeStoreConfig(
        endpoint_url_env="T_ENDPOINT", access_key_id_env="T_KEY", secret_access_key_env="T_SECRET"
    )
    monkeypatch.setenv("T_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("T_KEY", "id-123")
    monkeypatch.setenv("T_SECRET", "very-secret")
    monkeypatch.delenv("T_UNSET", raising=False)

    assert s3_options(store) == {
        "endpoint_url": "http://127.0.0.1:9",
        "key": "id-123",
        "secret": "very-secret",
    }
    entry = profile_filesystem("s3", store)
    assert entry == {
        "fs": "s3",
        "endpoint_url": "{{ env_var('T_ENDPOINT') }}",
        "key": "{{ env_var('T_KEY') }}",
        "secret": "{{ env_var('T_SECRET') }}",
    }
    # an unset variable leaves botocore's own chain (AWS_* variables, ~/.aws, a role)
    unset = LakeStoreConfig(
        endpoint_url_env="T_UNSET", access_key_id_env="", secret_access_key_env="", region="eu-1"
    )
    assert s3_options(unset) == {"client_kwargs": {"region_name": "eu-1"}}
    assert profile_filesystem("s3", unset) == {
        "fs": "s3",
        "client_kwargs": {"region_name": "eu-1"},
    }


def test_the_duckdb_profile_reads_an_object_store_lake_through_fsspec(tmp_path, monkeypatch):
    store = load_config().lake_store
    monkeypatch.setenv(store.secret_access_key_env, "very-secret")
    paths = Paths.resolve(tmp_path / "w.duckdb", lake="s3://bucket/lake")

    profile = Engine(EngineConfig(), paths).profile()

    output = yaml.safe_load(profile)["rapport"]["outputs"]["duckdb"]
    assert output["filesystems"][0]["fs"] == "s3"
    assert "very-secret" not in profile
    local = Engine(EngineConfig(), Paths.resolve(tmp_path / "w.duckdb")).profile()
    assert "filesystems" not in local


def test_spark_in_a_local_session_refuses_an_object_store_lake_in_one_line(tmp_path):
    paths = Paths.resolve(tmp_path / "w.duckdb", lake="s3://bucket/lake")
    engine = Engine(EngineConfig(name="spark"), paths)
    with pytest.raises(PathsError, match=r"cannot read the raw zone at s3://bucket/lake/raw.*"):
        engine.require_installed()


def _landing(landing: Path) -> None:
    for i, night in enumerate(NIGHTS):
        write_delivery(landing, "crm", night, crm_range_accounts(night, i, night == BAD_LINE))


@pytest.fixture
def s3(monkeypatch):
    with s3_server() as server:
        point_rapport_at(server, monkeypatch)
        yield server


def test_the_ingest_writes_the_raw_zone_to_the_object_store_and_the_checks_read_it(tmp_path, s3):
    landing = tmp_path / "landing"
    _landing(landing)
    remote = Paths.resolve(tmp_path / "s3" / "w.duckdb", landing=landing, lake=s3.url("lake"))
    local = Paths.resolve(tmp_path / "local" / "w.duckdb", landing=landing)

    for paths in (remote, local):
        assert load_source_nights(paths, "crm", NIGHTS).loaded == NIGHTS

    keys = s3.keys("lake/")
    assert "lake/raw/crm/accounts/dt=2026-10-02/part-0.parquet" in keys
    assert "lake/raw/rapport/deliveries/crm/dt=2026-10-03/part-0.parquet" in keys
    assert all(k.startswith("lake/raw/") for k in keys)  # nothing else goes to the store
    assert not (remote.lake / "raw").exists()
    # the same rows as a local lake's, the bad line in the local quarantine either way
    for night in NIGHTS:
        [file] = remote.raw_zone.files("crm", "accounts", night)
        there = pl.from_arrow(remote.raw_zone.scan([file]).collect().to_arrow())
        here = pl.read_parquet(local.raw_zone.files("crm", "accounts", night))
        assert there.equals(here)
    quarantined = pl.read_parquet(remote.lake / "quarantine" / "crm" / "accounts" / "*" / "*")
    assert [(r["extract_date"], r["line"]) for r in quarantined.iter_rows(named=True)] == [
        (BAD_LINE, 3)
    ]
    assert gate_problems(remote.lake, "crm", NIGHTS, GateRule(max_share=0.9)) == []

    found = validate_nights(remote.lake, remote.quality_dir, "crm", NIGHTS, remote.raw_zone)
    expected = validate_nights(local.lake, local.quality_dir, "crm", NIGHTS)
    assert [(o.object, o.extract_date, o.success, o.rows) for o in found] == [
        (o.object, o.extract_date, o.success, o.rows) for o in expected
    ]
    assert {o.rows for o in found if o.object == "accounts" and o.extract_date == BAD_LINE} == {1}


def test_duckdb_reads_the_object_store_raw_zone_without_httpfs(tmp_path, s3):
    landing = tmp_path / "landing"
    _landing(landing)
    paths = Paths.resolve(tmp_path / "w.duckdb", landing=landing, lake=s3.url("lake"))
    load_source_nights(paths, "crm", NIGHTS)

    con = duckdb.connect()
    con.register_filesystem(paths.raw_zone.fs)
    rows = con.execute(
        f"select _extract_date, count(*) from read_parquet('{paths.raw_zone.root}/crm/accounts/"
        "*/*.parquet') group by all order by 1"
    ).fetchall()
    assert rows == [(NIGHTS[0], 2), (NIGHTS[1], 1), (NIGHTS[2], 2)]


def test_retract_removes_the_night_from_the_object_store(tmp_path, s3):
    landing = tmp_path / "landing"
    _landing(landing)
    paths = Paths.resolve(tmp_path / "w.duckdb", landing=landing, lake=s3.url("lake"))
    load_source_nights(paths, "crm", NIGHTS)

    assert retract_night(paths, NIGHTS[1], ("crm",)) == ["crm/dt=2026-10-02"]

    keys = s3.keys("lake/raw/")
    assert not [k for k in keys if "dt=2026-10-02" in k]
    assert [k for k in keys if "dt=2026-10-03" in k]
    assert RawZone.under(s3.url("lake")).nights(paths.raw_zone.object_path("crm", "accounts")) == {
        NIGHTS[0],
        NIGHTS[2],
    }


def test_an_unreachable_object_store_lake_is_refused_in_one_line(tmp_path, s3):
    reachable = Paths.resolve(tmp_path / "w.duckdb", lake=s3.url("lake"))
    reachable.require_lake()  # the bucket is there (the prefix need not be yet)
    missing = Paths.resolve(tmp_path / "w.duckdb", lake="s3://no-such-bucket/lake")
    with pytest.raises(PathsError, match=r"^lake s3://no-such-bucket/lake cannot be used: bucket"):
        missing.require_lake()
    Paths.resolve(tmp_path / "w.duckdb").require_lake()  # a local lake: nothing to check


@pytest.mark.slow  # a spawned child importing GX: ~20 s, the full lane
def test_a_step_in_a_child_process_loads_and_checks_the_object_store_raw_zone(tmp_path, s3):
    """Large nights load and validate in a spawned child (`[ingest] isolate_above_mib`): it
    reaches the store with the same configuration."""
    landing = tmp_path / "landing"
    _landing(landing)
    paths = Paths.resolve(tmp_path / "w.duckdb", landing=landing, lake=s3.url("lake"))

    with StepProcess(logging.getLogger("tests.raw_zone.child")) as child:
        loaded = child.load(paths, "crm", NIGHTS, force=False)
        outcomes = child.validate(
            paths.lake, paths.quality_dir, "crm", loaded.nights, paths.raw_zone
        )

    assert loaded.loaded == NIGHTS
    assert "lake/raw/crm/users/dt=2026-10-03/part-0.parquet" in s3.keys("lake/raw/")
    accounts = {o.extract_date: o.rows for o in outcomes if o.object == "accounts"}
    assert accounts == {NIGHTS[0]: 2, NIGHTS[1]: 1, NIGHTS[2]: 2}


def test_the_raw_zone_names_the_paths_the_lake_layout_names(tmp_path):
    """On disk, RawZone's paths are `Lake`'s (the one layout, in strings for URLs too)."""
    lake, raw = Lake(tmp_path / "lake"), RawZone.under(tmp_path / "lake")
    assert raw.partition_path("crm", "accounts", FIRST) == (
        lake.raw_partition("crm", "accounts", FIRST).as_posix()
    )
    assert raw.schema_path("crm", "accounts") == lake.schema_file("crm", "accounts").as_posix()
    assert raw.deliveries_partition_path("crm", FIRST) == (
        lake.deliveries_partition("crm", FIRST).as_posix()
    )
    assert raw.deliveries_schema_path == lake.deliveries_schema_file.as_posix()
    assert raw.object_path("crm", "accounts") == lake.object_dir(RAW, "crm", "accounts").as_posix()
