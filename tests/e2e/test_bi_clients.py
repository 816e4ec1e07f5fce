"""BI clients while a night runs: SQLAlchemy + duckdb-engine reflect every published table
with its comments, the DuckDB CLI (a 1.x client) queries it, and neither blocks nor is
blocked by the run; after the run, the night's exports and dbt docs are there.

One installation is built once (two nights), then the third night runs as a program while
the readers read; the tests below look at what the fixture observed and left behind."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from rapport.publish import PUBLISHED
from tests.pipeline_helpers import BuiltStates, Installation, generate

BIN = Path(sys.executable).parent
NIGHT = "2026-10-03"


def url(warehouse: Path) -> str:
    """The connection string the README documents."""
    return f"duckdb:///{warehouse}?access_mode=read_only"


def reflect(warehouse: Path) -> dict[str, dict[str, str | None]]:
    """Every published table's comment and column comments, as a BI tool reflects them."""
    engine = create_engine(url(warehouse), poolclass=NullPool)
    try:
        inspector = inspect(engine)
        found = {}
        for schema in ("marts", "rapport"):
            for table in inspector.get_table_names(schema=schema):
                columns = inspector.get_columns(table, schema=schema)
                found[f"{schema}.{table}"] = {
                    "": inspector.get_table_comment(table, schema=schema)["text"],
                    **{c["name"]: c.get("comment") for c in columns},
                }
        return found
    finally:
        engine.dispose()


def cli_query(warehouse: Path, sql: str) -> str:
    done = subprocess.run(
        [str(BIN / "duckdb"), "-readonly", "-csv", "-noheader", str(warehouse), "-c", sql],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@dataclass
class Observed:
    installation: Installation
    reflected_during_run: list[dict] = field(default_factory=list)
    cli_during_run: list[str] = field(default_factory=list)
    pooled_before: str = ""
    pooled_after_publish: str = ""
    pooled_after_dispose: str = ""
    run_output: str = ""


def _two_nights(inst: Installation) -> None:
    generate(inst.landing.parent, 40, date(2026, 10, 1), 3, 7)
    assert inst.run("--from", "2026-10-01", "--to", "2026-10-02") == 0


@pytest.fixture(scope="module")
def observed(built_states: BuiltStates, tmp_path_factory) -> Observed:
    inst = built_states.copy("bi_two_nights", _two_nights, tmp_path_factory.mktemp("bi"))
    seen = Observed(inst)
    pooled = create_engine(url(inst.warehouse))  # a pool, as a BI server keeps one
    night_sql = text("select as_of_date::varchar from rapport.publication")
    with pooled.connect() as con:
        seen.pooled_before = con.execute(night_sql).scalar_one()
    run = subprocess.Popen(
        [str(BIN / "rapport"), "run", "--landing", str(inst.landing)]
        + ["--warehouse", str(inst.warehouse), "--date", NIGHT],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        while run.poll() is None:
            reflected = reflect(inst.warehouse)
            counted = cli_query(inst.warehouse, "select count(*) from marts.satisfied_at_risk")
            if run.poll() is None:  # both finished while the night was still running
                seen.reflected_during_run.append(reflected)
                seen.cli_during_run.append(counted)
            time.sleep(0.5)
    finally:
        seen.run_output = run.communicate(timeout=1800)[0]
    assert run.returncode == 0, seen.run_output
    with pooled.connect() as con:  # the pool's connection still holds the old file open
        seen.pooled_after_publish = con.execute(night_sql).scalar_one()
    pooled.dispose()  # every connection to the old file closed: the next one sees the new night
    with pooled.connect() as con:
        seen.pooled_after_dispose = con.execute(night_sql).scalar_one()
    pooled.dispose()
    return seen


def test_sqlalchemy_reflects_every_published_table_with_comments_during_a_night(observed):
    assert observed.reflected_during_run, "the readers never read while the night ran"
    reflected = observed.reflected_during_run[-1]
    published = {f"{s}.{t}" for s, t in PUBLISHED} | {"rapport.publication"}
    assert set(reflected) == published
    con = duckdb.connect(str(observed.installation.warehouse), read_only=True)
    try:
        stored = {
            f"{s}.{t}": dict(
                [("", tc)]
                + con.execute(
                    "select column_name, comment from duckdb_columns() where schema_name = ? "
                    "and table_name = ?",
                    [s, t],
                ).fetchall()
            )
            for s, t, tc in con.execute(
                "select schema_name, table_name, comment from duckdb_tables()"
            ).fetchall()
        }
    finally:
        con.close()
    for table, comments in reflected.items():
        assert set(comments) == set(stored[table]), table  # every column reflected
        assert all(comments.values()), f"{table}: a table or column without a comment"


def test_the_duckdb_cli_reads_during_a_night(observed):
    assert observed.cli_during_run and all(int(n) >= 0 for n in observed.cli_during_run)
    warehouse = observed.installation.warehouse
    assert cli_query(warehouse, "select as_of_date from rapport.publication") == NIGHT


def test_a_pool_sees_the_new_night_once_its_connections_are_closed(observed):
    assert observed.pooled_before == "2026-10-02"
    assert observed.pooled_after_publish == "2026-10-02"
    assert observed.pooled_after_dispose == NIGHT


def test_the_nights_exports_hold_every_published_table(observed):
    inst = observed.installation
    folder = inst.warehouse.parent / "exports" / NIGHT
    for schema, table in (*PUBLISHED, ("rapport", "publication")):
        parquet = folder / f"{schema}.{table}.parquet"
        exported = duckdb.sql(f"select count(*) from '{parquet}'").fetchall()[0][0]
        assert exported == inst.serving_query(f"select count(*) from {schema}.{table}")[0][0]
    assert (inst.warehouse.parent / "exports" / "2026-10-02").is_dir()  # the night before


def test_the_dbt_docs_of_the_publish_are_reachable(observed):
    inst = observed.installation
    done = subprocess.run(
        [str(BIN / "rapport"), "docs", "--warehouse", str(inst.warehouse)],
        capture_output=True,
        text=True,
    )
    site = Path(done.stdout.strip())
    assert done.returncode == 0 and site == inst.warehouse.parent / "docs" / "dbt" / "index.html"
    page = site.read_text()
    assert "satisfied_at_risk" in page and "account_loyalty_history" in page


def test_the_run_said_what_it_did(observed):
    lines = observed.run_output.splitlines()
    assert lines[0].startswith(f"running nights {NIGHT} .. {NIGHT}")
    assert any(line.startswith("  crm: 1 of 1 nights loaded") for line in lines)
    assert any(line.startswith("  dbt nightly: ") and "models" in line for line in lines)
    assert lines[-1].startswith(f"ok: nights {NIGHT} .. {NIGHT}")
    assert "\x1b[" not in observed.run_output  # no colours into a pipe
    assert len(lines) < 40


def test_the_serving_asset_links_the_docs_and_the_exports(observed):
    import dagster as dg

    # no public API opens an instance from a given folder (DagsterInstance.get reads
    # $DAGSTER_HOME only); the CLI's instance sits beside the warehouse
    from dagster._core.instance.ref import InstanceRef

    folder = observed.installation.warehouse.parent
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(folder / "dagster"))) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["serving", "warehouse"]))
    metadata = event.asset_materialization.metadata
    assert metadata["dbt_docs"].value == str(folder / "docs" / "dbt" / "index.html")
    assert metadata["dbt_docs_url"].value == (folder / "docs" / "dbt" / "index.html").as_uri()
    assert metadata["exports"].value == str(folder / "exports" / NIGHT)
