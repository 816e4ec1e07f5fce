"""The engine setting: rapport.toml's [engine], the dbt profile each engine gets, and the
one-line errors when an engine cannot run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from rapport.config import EngineConfig, load_config
from rapport.dbt_manifest import ensure_dbt_manifest
from rapport.engine import Engine
from rapport.paths import Paths, PathsError
from rapport.publish import PUBLISHED, publish


def _paths(tmp_path: Path) -> Paths:
    return Paths.resolve(tmp_path / "warehouse.duckdb", landing=tmp_path / "landing")


def _output(engine: Engine) -> dict:
    profile = yaml.safe_load(engine.profile())["rapport"]
    assert profile["target"] == engine.name
    return profile["outputs"][engine.name]


def test_duckdb_builds_into_the_installations_build_file(tmp_path):
    output = _output(Engine(EngineConfig(), _paths(tmp_path)))
    assert output["type"] == "duckdb"
    assert output["path"] == (tmp_path / "lake" / "build" / "rapport_build.duckdb").as_posix()


def test_spark_session_keeps_its_catalog_in_the_lake(tmp_path):
    settings = EngineConfig(name="spark", spark_driver_memory="3g", spark_shuffle_partitions=2)
    output = _output(Engine(settings, _paths(tmp_path), threads=2))
    params = output["server_side_parameters"]
    spark_home = (tmp_path / "lake" / "spark").as_posix()
    assert (output["type"], output["method"]) == ("spark", "session")
    assert params["spark.master"] == "local[2]"
    assert params["spark.sql.warehouse.dir"] == f"{spark_home}/warehouse"
    assert (
        f"databaseName={spark_home}/metastore_db"
        in params["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert (params["spark.driver.memory"], params["spark.sql.shuffle.partitions"]) == ("3g", "2")
    # nothing from the JVM between dbt's event lines on stdout (Dagster parses them)
    assert params["spark.ui.showConsoleProgress"] == "false"
    assert params["spark.log.level"] == "ERROR"


def test_spark_thrift_points_at_the_configured_server(tmp_path):
    settings = EngineConfig(name="spark", spark_method="thrift", spark_host="sts", spark_port=10000)
    output = _output(Engine(settings, _paths(tmp_path)))
    assert (output["method"], output["host"], output["port"]) == ("thrift", "sts", 10000)


def test_spark_http_reads_its_token_from_the_named_variable_when_the_run_starts(
    tmp_path, monkeypatch
):
    settings = EngineConfig(
        name="spark",
        spark_method="http",
        spark_host="dbc.example",
        spark_cluster="0101-abc",
        spark_token_env="TEST_RAPPORT_TOKEN",
    )
    engine = Engine(settings, _paths(tmp_path))
    monkeypatch.delenv("TEST_RAPPORT_TOKEN", raising=False)
    with pytest.raises(PathsError, match=r"\$TEST_RAPPORT_TOKEN, which is not set"):
        engine.profile()
    monkeypatch.setenv("TEST_RAPPORT_TOKEN", "s3cret")
    output = _output(engine)
    assert (output["token"], output["cluster"]) == ("s3cret", "0101-abc")


def test_the_engine_section_is_checked_when_read(tmp_path):
    config = tmp_path / "rapport.toml"
    config.write_text('[engine]\nname = "flink"\n')
    with pytest.raises(ValueError, match="engine.name must be one of duckdb, spark, got 'flink'"):
        load_config(config)
    config.write_text('[engine]\nname = "spark"\nspark_method = "thrift"\n')
    with pytest.raises(ValueError, match="'thrift' needs engine.spark_host"):
        load_config(config)
    config.write_text('[engine]\nname = "spark"\n')
    assert load_config(config).engine == EngineConfig(name="spark")


def test_the_projects_rapport_toml_runs_duckdb():
    assert load_config().engine.name == "duckdb"


def test_spark_without_java_fails_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    engine = Engine(EngineConfig(name="spark"), _paths(tmp_path))
    with pytest.raises(PathsError, match="needs (a Java 17 runtime|dbt-spark and pyspark)"):
        engine.require_installed()


def test_spark_marts_are_read_from_the_lake(tmp_path):
    engine = Engine(EngineConfig(name="spark"), _paths(tmp_path))
    assert engine.marts_dir("marts", "account_loyalty_risk") == (
        tmp_path / "lake" / "warehouse" / "marts.db" / "account_loyalty_risk"
    )
    con = duckdb.connect()
    with pytest.raises(PathsError, match="Spark wrote no marts.account_loyalty_risk"):
        engine.attach_build(con, (("marts", "account_loyalty_risk"),))


def test_publish_reads_spark_parquet_marts_with_their_dbt_docs(tmp_path):
    """The serving file from Parquet laid out as Spark writes it (the history partitioned by
    night), with the models' descriptions from dbt's manifest as comments."""
    engine = Engine(EngineConfig(name="spark"), _paths(tmp_path))
    for schema, table in PUBLISHED:
        folder = engine.marts_dir(schema, table)
        if table == "account_loyalty_history":
            folder = folder / "as_of_date=2026-10-02"
        folder.mkdir(parents=True)
        frame = pl.DataFrame({"account_id": ["A1", "A2"], "loyalty_risk_score": [10, None]})
        if table != "account_loyalty_history":
            frame = frame.with_columns(as_of_date=pl.date(2026, 10, 2))
        frame.write_parquet(folder / "part-00000-x.c000.snappy.parquet")
    serving = tmp_path / "serving.duckdb"
    publication = publish(engine, serving, manifest=ensure_dbt_manifest())
    assert publication.as_of_date == "2026-10-02"
    assert publication.rows["marts.account_loyalty_history"] == 2
    con = duckdb.connect(str(serving), read_only=True)
    try:
        history = con.execute(
            "select account_id, as_of_date from marts.account_loyalty_history order by 1"
        ).fetchall()
        table_doc = con.execute(
            "select comment from duckdb_tables() where table_name = 'account_loyalty_risk'"
        ).fetchall()
        column_doc = con.execute(
            "select comment from duckdb_columns() where table_name = 'account_loyalty_risk' "
            "and column_name = 'account_id'"
        ).fetchall()
    finally:
        con.close()
    assert [r[0] for r in history] == ["A1", "A2"]
    assert str(history[0][1]) == "2026-10-02"
    assert table_doc[0][0] and "account" in table_doc[0][0].lower()
    assert column_doc[0][0]


def test_a_spark_mart_with_no_rows_is_published_empty_with_its_contract_columns(tmp_path):
    """Spark writes a partitioned table with no rows (the movers of a first night) as a bare
    folder: the serving table is still there, empty, with the model's contract types."""
    engine = Engine(EngineConfig(name="spark"), _paths(tmp_path))
    folder = engine.marts_dir("marts", "account_risk_movers")
    folder.mkdir(parents=True)
    con = duckdb.connect()
    engine.attach_build(con, (("marts", "account_risk_movers"),), ensure_dbt_manifest())
    assert con.execute("select count(*) from build.marts.account_risk_movers").fetchall() == [(0,)]
    described = con.execute("describe build.marts.account_risk_movers").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["as_of_date"] == "DATE"
    assert types["days_back"] == "INTEGER"
    assert types["account_id"] == "VARCHAR"

    with pytest.raises(
        PathsError, match="no Parquet for marts.account_risk_movers .*no column types"
    ):
        engine.attach_build(duckdb.connect(), (("marts", "account_risk_movers"),))
