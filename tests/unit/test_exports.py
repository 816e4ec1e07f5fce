"""Exports of the published tables: Parquet per night, CSV on request with formula escaping."""

from __future__ import annotations

import csv

import duckdb

from rapport.exports import export_night
from rapport.publish import PUBLICATION_COMMENTS, _comment_publication

TABLES = (("marts", "satisfied_at_risk"), ("rapport", "publication"))


def _serving(path, names):
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.satisfied_at_risk (account_name varchar, arr decimal(18,2))")
    if names:
        con.executemany("insert into marts.satisfied_at_risk values (?, ?)", names)
    con.execute("create schema rapport")
    con.execute("create table rapport.publication as select date '2026-10-05' as as_of_date")
    con.close()
    return path


def test_each_table_as_parquet_in_the_nights_folder(tmp_path):
    serving = _serving(tmp_path / "w.duckdb", [("Acme", 1200.5), ("Globex", 10)])
    export = export_night(serving, tmp_path / "exports", "2026-10-05", TABLES)
    assert export.folder == tmp_path / "exports" / "2026-10-05"
    assert sorted(p.name for p in export.folder.iterdir()) == [
        "marts.satisfied_at_risk.parquet",
        "rapport.publication.parquet",
    ]
    rows = duckdb.sql(
        f"select * from '{export.folder / 'marts.satisfied_at_risk.parquet'}' order by arr"
    ).fetchall()
    assert [(n, float(a)) for n, a in rows] == [("Globex", 10.0), ("Acme", 1200.5)]


def test_csv_cells_are_never_formulas(tmp_path):
    hostile = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tTab", "Plain - name"]
    serving = _serving(tmp_path / "w.duckdb", [(n, 1) for n in hostile])
    export = export_night(serving, tmp_path / "exports", "2026-10-05", TABLES, csv=True)
    with (export.folder / "marts.satisfied_at_risk.csv").open(newline="") as f:
        names = [r["account_name"] for r in csv.DictReader(f)]
    assert names == ["'" + n for n in hostile[:5]] + ["Plain - name"]


def test_a_night_exported_again_is_replaced_and_old_nights_are_pruned(tmp_path):
    serving = _serving(tmp_path / "w.duckdb", [("Acme", 1)])
    for night in ("2026-10-01", "2026-10-02", "2026-10-03", "2026-10-03"):
        export_night(serving, tmp_path / "exports", night, TABLES, keep_nights=2)
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == ["2026-10-02", "2026-10-03"]


def test_the_publication_table_has_comments(tmp_path):
    con = duckdb.connect(str(_serving(tmp_path / "w.duckdb", [])))
    con.execute("alter table rapport.publication add column published_at timestamp")
    con.execute("alter table rapport.publication add column currency varchar")
    _comment_publication(con)
    table = con.execute(
        "select comment from duckdb_tables() where table_name = 'publication'"
    ).fetchall()
    columns = dict(
        con.execute(
            "select column_name, comment from duckdb_columns() where table_name = 'publication'"
        ).fetchall()
    )
    assert table == [(PUBLICATION_COMMENTS[None],)]
    assert columns == {k: v for k, v in PUBLICATION_COMMENTS.items() if k}
