"""The same nights on DuckDB and on Spark give the same marts, row for row.

One small landing (a few accounts, four nights) goes through `rapport run` twice on Spark:
first night 1 alone, before the surveys source ever delivered (an object with no night yet,
and marts with no rows, as a new installation has); then a replay of night 1 (an account
renamed) with the surveys of every night and nights 2-4, night 4 carrying a late record (an
older version of an account that changed since). DuckDB runs the final landing once: a
replay gives the same tables as the nights it replaces (README), so every published mart
must then hold the same rows on both engines. Every dbt unit test passes on Spark against
the models the runs built.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.dbt_cli import run_dbt
from tests.engines import needs_spark
from tests.pipeline_helpers import PUBLISHED_MODELS, Installation, generate, mart_rows

pytestmark = needs_spark

START = date(2026, 10, 1)
NIGHTS = [f"dt=2026-10-0{d}" for d in range(1, 5)]
SOURCES = ("crm", "support", "surveys")
REPLAYED_NAME = "Replayed Name Ltd"
LATE_NAME = "Late Name Ltd"


def _accounts(landing: Path, night: str) -> tuple[list[str], list[dict[str, str]]]:
    path = landing / "crm" / night / "accounts.csv"
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write_accounts(landing: Path, night: str, names: list[str], rows: list[dict[str, str]]):
    path = landing / "crm" / night / "accounts.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.DictWriter(f, names, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def _hold_back(landing: Path) -> None:
    """Only night 1 of the CRM and support is complete; the surveys have delivered nothing."""
    for source in SOURCES:
        for night in NIGHTS if source == "surveys" else NIGHTS[1:]:
            (landing / source / night / "_SUCCESS").rename(landing / source / night / "HELD")


def _replay_and_deliver_late(landing: Path) -> None:
    """Night 1 replayed with a correction (a customer renamed); the held nights delivered,
    night 4 with a late record (the night-1 version of an account that changed since, under
    a new name)."""
    names, night1 = _accounts(landing, NIGHTS[0])
    later = {r["Id"] for n in NIGHTS[1:] for r in _accounts(landing, n)[1]}
    late = next(r for r in night1 if r["Id"] in later)
    renamed = next(r for r in night1 if r["Id"] not in later and r["Type"] == "Customer")
    corrected = [{**r, "Name": REPLAYED_NAME} if r is renamed else r for r in night1]
    _write_accounts(landing, NIGHTS[0], names, corrected)
    _, night4 = _accounts(landing, NIGHTS[3])
    _write_accounts(landing, NIGHTS[3], names, [*night4, {**late, "Name": LATE_NAME}])
    for held in landing.glob("*/*/HELD"):
        held.rename(held.with_name("_SUCCESS"))
    # A delivery is complete when its _SUCCESS is written last: mark the changed folders again
    for folder in (landing / "crm" / NIGHTS[0], landing / "crm" / NIGHTS[3]):
        (folder / "_SUCCESS").touch()


def _run_nights(template: Path, root: Path, engine: str) -> Installation:
    landing = root / "landing"
    shutil.copytree(template, landing)
    inst = Installation(landing, root / "warehouse.duckdb", root / "labels.csv")
    _hold_back(landing)
    assert inst.run("--engine", engine) == 0
    first = inst.serving_query(
        "select (select count(*) from marts.account_loyalty_risk),"
        " (select count(*) from marts.account_risk_movers),"
        " (select count(*) from marts.account_loyalty_risk where satisfaction_score is not null"
        "  and ratings_good + ratings_bad = 0)"
    )
    # night 1 scored without any survey (ratings alone), and no movers on a first night
    assert first[0][0] > 0 and first[0][1:] == (0, 0), (engine, first)
    _replay_and_deliver_late(landing)
    assert inst.run("--engine", engine) == 0
    return inst


def _run_final_landing(template: Path, root: Path) -> Installation:
    """The landing as it ends up (night 1 replayed, the late record on night 4), in one run."""
    landing = root / "landing"
    shutil.copytree(template, landing)
    _replay_and_deliver_late(landing)
    inst = Installation(landing, root / "warehouse.duckdb", root / "labels.csv")
    assert inst.run() == 0
    return inst


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, Installation]:
    template = generate(tmp_path_factory.mktemp("landing"), 25, START, 4, seed=5).landing
    return {
        "duckdb": _run_final_landing(template, tmp_path_factory.mktemp("duckdb")),
        "spark": _run_nights(template, tmp_path_factory.mktemp("spark"), "spark"),
    }


@pytest.mark.parametrize(
    ("schema", "table"), PUBLISHED_MODELS, ids=[t for _, t in PUBLISHED_MODELS]
)
def test_every_mart_has_the_same_rows_on_both_engines(both, schema, table):
    duck_columns, duck_rows = mart_rows(both["duckdb"].warehouse, schema, table)
    spark_columns, spark_rows = mart_rows(both["spark"].warehouse, schema, table)
    assert spark_columns == duck_columns
    only_duckdb = duck_rows - spark_rows
    only_spark = spark_rows - duck_rows
    assert not only_duckdb and not only_spark, (
        f"{table}: {sum(only_duckdb.values())} rows only on DuckDB, "
        f"{sum(only_spark.values())} only on Spark; e.g. {list(only_duckdb)[:2]} vs "
        f"{list(only_spark)[:2]}"
    )
    assert duck_rows, f"{table} is empty: the comparison would prove nothing"


def test_the_replay_and_the_late_record_reached_both_engines(both):
    for engine, inst in both.items():
        names = {
            r[0] for r in inst.serving_query("select account_name from marts.account_loyalty_risk")
        }
        nights = inst.serving_query(
            "select min(as_of_date), max(as_of_date), count(distinct as_of_date) "
            "from marts.account_loyalty_history"
        )
        assert REPLAYED_NAME in names, engine
        assert LATE_NAME not in names, engine  # an older stamp never overwrites
        assert nights == [(date(2026, 10, 1), date(2026, 10, 4), 4)], engine
    exported = list((both["spark"].paths.exports_dir / "2026-10-04").glob("*.parquet"))
    assert exported, "the Spark run exports the checked marts as Parquet too"


def test_every_dbt_unit_test_passes_on_spark(both, tmp_path):
    """A night's build runs no dbt unit tests (docs/decisions.md, "Unit tests in CI, not in
    every night"): on Spark they run here, against the models the runs built."""
    paths = both["spark"].paths
    run = run_dbt(
        ["test", "--select", "test_type:unit"],
        paths.lake_layout.dbt_profiles_dir / "spark",
        {
            "lake_root": paths.lake.as_posix(),
            "raw_root": paths.raw_zone.root,
            "records_root": paths.records_dir.as_posix(),
        },
        tmp_path,
    )
    assert not run.failures and run.returncode == 0, "\n".join(run.failures) or run.stdout[-3000:]
    assert run.manifest["unit_tests"] and run.ran == set(run.manifest["unit_tests"])
