"""The business check `satisfied_but_leaving`: a flag (WARN, never blocking) when any account
is satisfied but at risk, a pass when none is."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.quality import satisfied_but_leaving
from pipelines.defs.resources import RapportResource


def _installation(tmp_path: Path, watchlist: list[tuple]) -> RapportResource:
    resource = RapportResource(
        landing_dir=str(tmp_path / "landing"),
        lake_dir=str(tmp_path / "lake"),
        warehouse_path=str(tmp_path / "warehouse.duckdb"),
    )
    build = resource.paths.build_db
    build.parent.mkdir(parents=True)
    con = duckdb.connect(str(build))
    con.execute("create schema marts")
    con.execute(
        "create table marts.satisfied_at_risk (watchlist_rank bigint, account_name varchar, "
        "account_id varchar, arr_at_risk double, reasons varchar)"
    )
    if watchlist:
        con.executemany("insert into marts.satisfied_at_risk values (?, ?, ?, ?, ?)", watchlist)
    con.execute(
        "create table marts.account_loyalty_risk as select 'A' || range as account_id from range(40)"
    )
    con.close()
    return resource


def test_accessible_accounts_fail_the_check_with_warn_severity(tmp_path):
    rapport = _installation(
        tmp_path,
        [
            (1, "Northwind", "001A", 42_000.0, "complaint_tickets (+30, 2d ago): 3 tickets"),
            (2, "Contoso", "001B", 9_500.5, "new_customer (+20, 40d ago): a customer since ..."),
        ],
    )
    result = satisfied_but_leaving(rapport=rapport)
    assert result.passed is False
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["accessible_accounts"].value == 2
    assert result.metadata["arr_at_risk"].value == 51_500.5
    assert "Northwind (001A)" in result.metadata["top_accounts"].value
    assert "complaint_tickets (+30, 2d ago)" in result.metadata["top_accounts"].value
    assert result.metadata["summary"].value == (
        "2 of 40 customer accounts say they are satisfied while what they do says they are "
        "leaving (ARR at risk 51,500); `rapport watchlist` lists them"
    )


def test_no_accessible_account_passes(tmp_path):
    result = satisfied_but_leaving(rapport=_installation(tmp_path, []))
    assert result.passed is True
    assert result.metadata["accessible_accounts"].value == 0


def test_the_check_never_blocks_the_night():
    (spec,) = satisfied_but_leaving.check_specs
    assert spec.blocking is False
