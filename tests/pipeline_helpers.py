"""Helpers for tests that run the whole pipeline: generate, run, read back."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.cli import main
from rapport.contract import OBJECTS, SourceObject
from rapport.paths import Paths
from rapport.publish import FROM_RECORDS, PUBLISHED


@dataclass(frozen=True)
class Installation:
    landing: Path
    warehouse: Path
    labels: Path

    @property
    def paths(self) -> Paths:
        return Paths.resolve(self.warehouse, landing=self.landing)

    def run(self, *extra: str) -> int:
        # a new installation starts in a folder that exists (rapport run refuses a missing one)
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        return main(
            ["run", "--landing", str(self.landing), "--warehouse", str(self.warehouse), *extra]
        )

    def build_query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.paths.build_db), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def serving_query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


def generate(root: Path, accounts: int, start: date, days: int, seed: int) -> Installation:
    landing = root / "landing"
    labels = root / "labels.csv"
    code = main(
        [
            "generate",
            "--out",
            str(landing),
            "--accounts",
            str(accounts),
            "--start",
            start.isoformat(),
            "--days",
            str(days),
            "--seed",
            str(seed),
            "--labels",
            str(labels),
        ]
    )
    assert code == 0
    return Installation(landing, root / "warehouse.duckdb", labels)


def landing_records(path: Path, obj: SourceObject) -> list[dict[str, object]]:
    """The records of one landing file, read with the standard library (an independent
    reader, not Rapport's)."""
    if obj.fmt == "jsonl":
        text = path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header_rows = 3 if obj.fmt == "qualtrics_csv" else 1
    names = rows[0]
    return [dict(zip(names, r, strict=False)) for r in rows[header_rows:]]


def delivered_files(landing: Path):
    """(object, night, path) of every file in every complete delivery."""
    for obj in OBJECTS:
        for folder in sorted((landing / obj.source).glob("dt=*")):
            if (folder / "_SUCCESS").exists():
                yield obj, date.fromisoformat(folder.name[3:]), folder / obj.filename


def crm_current_accounts(landing: Path) -> dict[str, dict[str, object]]:
    """Current state of CRM accounts, computed from the landing files directly: the greatest
    LastModifiedDate wins, ties to the later delivery, deletions drop out."""
    obj = next(o for o in OBJECTS if o.qualified == "crm.accounts")
    best: dict[str, tuple[datetime, date, dict[str, object]]] = {}
    for o, night, path in delivered_files(landing):
        if o is not obj:
            continue
        for rec in landing_records(path, obj):
            stamp = datetime.strptime(str(rec["LastModifiedDate"]), "%Y-%m-%dT%H:%M:%S.%f%z")
            key = str(rec["Id"])
            if key not in best or (stamp, night) >= best[key][:2]:
                best[key] = (stamp, night, rec)
    return {k: v[2] for k, v in best.items() if str(v[2]["IsDeleted"]).lower() != "true"}


# the published models; not the records (the alerts ledger says when each run raised an alert)
PUBLISHED_MODELS = [t for t in PUBLISHED if t not in FROM_RECORDS]

#: Every published model (schema marts): what "the same tables" compares.
MARTS = tuple(table for _, table in PUBLISHED_MODELS)


def marts_digest(warehouse: Path, tables: tuple[str, ...] = MARTS) -> dict[str, str]:
    """An ordered hash of each mart's contents."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            t: hashlib.sha256(
                repr(con.execute(f"select * from marts.{t} order by all").fetchall()).encode()
            ).hexdigest()
            for t in tables
        }
    finally:
        con.close()


def _normal(value: object) -> object:
    """Floats to 9 decimals (engines and lakes may add in a different order); lists as tuples."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        return tuple(_normal(v) for v in value)
    return value


def mart_rows(warehouse: Path, schema: str, table: str) -> tuple[list[str], Counter]:
    """A published table's columns (by name, sorted) and its rows as a multiset, to compare
    two installations row for row whatever order their engines wrote them in."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = sorted(
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        )
        select = ", ".join(f'"{c}"' for c in columns)
        rows = con.execute(f"select {select} from {schema}.{table}").fetchall()
    finally:
        con.close()
    return columns, Counter(tuple(_normal(v) for v in row) for row in rows)


class BuiltStates:
    """Installations built once per test session, each test getting its own copy.

    `copy(name, build, into)` builds the state called `name` the first time it is asked for
    (`build` gets an empty installation under the session's cache folder), then copies the
    whole installation (landing, lake, warehouse, quality results, Dagster instance) to
    `into`: a test may run nights on its copy, the cached state is never touched. A build may
    start from another state: `copy(other, its_build, inst.landing.parent)` inside it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def copy(self, name: str, build: Callable[[Installation], None], into: Path) -> Installation:
        cached = self.root / name
        if not (cached / ".built").exists():
            shutil.rmtree(cached, ignore_errors=True)
            cached.mkdir(parents=True)
            build(installation(cached))
            (cached / ".built").touch()
        shutil.copytree(cached, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".built"))
        return installation(into)


def installation(root: Path) -> Installation:
    """The installation whose files all live under `root`."""
    return Installation(root / "landing", root / "warehouse.duckdb", root / "labels.csv")
