"""Publish: copy what users and BI read from the build warehouse into a new serving file and
swap it into place atomically.

Readers open the serving file read-only. A run never writes to it: it writes a new file
beside it and renames it over the old one, so a reader sees either last night or tonight,
never a mix, and neither blocks the other. Raw contact data (names, e-mails, free text)
stays in the build warehouse.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from rapport.alerts import load_into
from rapport.engine import Engine

#: (schema, table) pairs published to the serving warehouse.
PUBLISHED: tuple[tuple[str, str], ...] = (
    ("marts", "account_loyalty_risk"),
    ("marts", "account_loyalty_history"),
    ("marts", "account_signal_history"),
    ("marts", "satisfied_at_risk"),
    ("marts", "account_loyalty_signals"),
    ("marts", "owner_relationship_health"),
    ("marts", "attribution_coverage"),
    ("marts", "account_defections"),
    ("marts", "loyalty_backtest"),
    ("marts", "loyalty_signal_backtest"),
    ("marts", "account_risk_movers"),
    ("marts", "alert_events"),
    ("marts", "alerts"),
)

#: Published tables that are not dbt models: Rapport's own records (the alerts ledger,
#: loaded into the build warehouse by the alerts step).
FROM_RECORDS: frozenset[tuple[str, str]] = frozenset({("marts", "alerts")})

#: A column whose description ends with this is money: the published comment names the currency.
MONEY_MARK = "Money."


class PublishError(RuntimeError):
    pass


@dataclass(frozen=True)
class Publication:
    serving: Path
    as_of_date: str | None
    rows: dict[str, int]


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def publish(
    source: Engine | Path,
    serving: Path,
    storage_version: str | None = None,
    manifest: Path | None = None,
    currency: str = "EUR",
    records: Path | None = None,
) -> Publication:
    """Build a new serving file from the marts and rename it over `serving`. `source` is the
    engine that built them (a DuckDB build file, or Spark's Parquet in the lake) or a DuckDB
    build file's path; `manifest`: dbt's, whose descriptions become the comments of marts
    that carry none (Spark's). With `storage_version` (e.g. "v1.4.0") the file is written in
    that DuckDB release's storage format, so BI tools that bundle an older DuckDB (a JDBC/ODBC
    driver, the 1.x CLI) open it. Every money column's comment says its `currency`. The
    tables `FROM_RECORDS` come from `records` (the alerts ledger) when it is given, else from
    the build warehouse."""
    if isinstance(source, Path) and not source.exists():
        raise PublishError(f"build warehouse {source} does not exist: nothing to publish")
    serving.parent.mkdir(parents=True, exist_ok=True)
    tmp = serving.with_name(f".{serving.name}.publishing")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    rows: dict[str, int] = {}
    config = {"storage_compatibility_version": storage_version} if storage_version else {}
    con = duckdb.connect(str(tmp), config=config)
    try:
        if isinstance(source, Path):
            con.execute(f"attach '{_quote(source)}' as build (read_only)")
        else:
            # Spark's lake holds the dbt models only; the records' tables are read below
            models = tuple(t for t in PUBLISHED if records is None or t not in FROM_RECORDS)
            source.attach_build(con, models, manifest)
        for schema, table in PUBLISHED:
            con.execute(f"create schema if not exists {schema}")
            if records is not None and (schema, table) in FROM_RECORDS:
                rows[f"{schema}.{table}"] = load_into(con, records, f"{schema}.{table}")
                _name_currency(con, schema, table, currency)
                continue
            con.execute(f"create table {schema}.{table} as select * from build.{schema}.{table}")
            rows[f"{schema}.{table}"] = con.execute(
                f"select count(*) from {schema}.{table}"
            ).fetchall()[0][0]
            _copy_comments(con, schema, table, currency)
        as_of = con.execute("select max(as_of_date) from marts.account_loyalty_risk").fetchall()[0][
            0
        ]
        con.execute("create schema if not exists rapport")
        con.execute(
            "create table rapport.publication as select ?::date as as_of_date, "
            "?::timestamp as published_at, ?::varchar as currency",
            [as_of, datetime.now(UTC).replace(tzinfo=None), currency],
        )
        _comment_publication(con)
        con.execute("detach build")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, serving)
    return Publication(serving, as_of.isoformat() if as_of else None, rows)


#: What `rapport.publication` says about itself, like the marts' dbt docs do.
PUBLICATION_COMMENTS = {
    None: "Which night this file holds and when Rapport published it: one row, replaced with "
    "the file each night.",
    "as_of_date": "The night the marts describe: the latest extract date computed (UTC).",
    "published_at": "When this file was published (UTC, without time zone).",
    "currency": "The currency of every money column (`[money]` in rapport.toml).",
}


def _comment_publication(con: duckdb.DuckDBPyConnection) -> None:
    for column, text in PUBLICATION_COMMENTS.items():
        target = (
            "table rapport.publication"
            if column is None
            else f"column rapport.publication.{column}"
        )
        con.execute(f"comment on {target} is '{text.replace(chr(39), chr(39) * 2)}'")


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str, currency: str) -> None:
    """Carry the dbt docs (persisted as comments) over, so BI tools show them; a money
    column's comment ends with its currency."""
    comment = con.execute(
        "select comment from duckdb_tables() where database_name = 'build' "
        "and schema_name = ? and table_name = ? "
        "union all select comment from duckdb_views() where database_name = 'build' "
        "and schema_name = ? and view_name = ?",
        [schema, table, schema, table],
    ).fetchall()
    if comment and comment[0][0]:
        con.execute(
            f"comment on table {schema}.{table} is '{comment[0][0].replace(chr(39), chr(39) * 2)}'"
        )
    for column, text in con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'build' "
        "and schema_name = ? and table_name = ? and comment is not null",
        [schema, table],
    ).fetchall():
        _comment_column(con, schema, table, column, _money_text(text, currency))


def _name_currency(con: duckdb.DuckDBPyConnection, schema: str, table: str, currency: str) -> None:
    """Name the currency in the money columns' comments of a table written in this file."""
    for column, text in con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ? "
        "and comment is not null",
        [schema, table],
    ).fetchall():
        if text.endswith(MONEY_MARK):
            _comment_column(con, schema, table, column, _money_text(text, currency))


def _money_text(text: str, currency: str) -> str:
    """A money column's description (ending `Money.`) with its currency named."""
    if text.endswith(MONEY_MARK):
        return f"{text[: -len(MONEY_MARK)]}Money, in {currency}."
    return text


def _comment_column(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str, text: str
) -> None:
    con.execute(
        f"comment on column {schema}.{table}.\"{column}\" is '{text.replace(chr(39), chr(39) * 2)}'"
    )


def read_publication(con: duckdb.DuckDBPyConnection) -> tuple[object, str]:
    """(the night published, the currency) of an open serving warehouse. A file published
    before `currency` was recorded gives the configured one (and before `rapport.publication`
    existed, the latest night of the marts)."""
    from rapport.config import load_config

    columns = {
        c
        for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'rapport' "
            "and table_name = 'publication'"
        ).fetchall()
    }
    if "currency" in columns:
        night, currency = con.execute(
            "select as_of_date, currency from rapport.publication"
        ).fetchall()[0]
        return night, currency
    if columns:
        night = con.execute("select as_of_date from rapport.publication").fetchall()[0][0]
    else:
        night = con.execute("select max(as_of_date) from marts.account_loyalty_risk").fetchall()[0][
            0
        ]
    return night, load_config().money.currency
