"""The floor: the same night's (or range of nights') work done by DuckDB alone, with no Dagster and no dbt.

- ingest: DuckDB's own readers (``read_csv``, ``read_json``) over the night's landing files,
  written to Parquet (zstd) with the lineage columns the raw zone has. No quarantine, line
  numbers, fingerprints or Great Expectations: those are part of what Rapport adds.
- SQL: the SQL dbt compiled for the run (``run_results.json`` of each dbt step), executed in
  dependency order (the manifest's) in one DuckDB connection, against the raw zone Rapport
  wrote. Each model gets the DDL of its materialization (view, table, or for an incremental
  model that exists already dbt's delete+insert of the new rows); the seed is loaded with
  ``read_csv``. dbt's data tests are included (``select count(*)`` over each test's compiled
  query) and timed apart; unit tests are left out (they run on fixtures, not on the data).
- publish: a new DuckDB file that ``ATTACH``es the build warehouse and copies the published
  tables with ``CREATE TABLE AS``.

Run as ``python -m bench.floor`` (the harness does, to measure the process like Rapport's);
it prints one JSON object with the times of each part and the rows published.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from rapport.contract import OBJECTS, SourceObject
from rapport.lake import PART, RAW, Lake
from rapport.publish import FROM_RECORDS, PUBLISHED

PARQUET = "format parquet, compression zstd, compression_level 1"
# the extract contract's CSV dialect (docs/extracts.md); the sniffer still detects the types
DIALECT = "delim = ',', quote = '\"', escape = '\"'"
RAN = frozenset({"success", "pass", "warn", "fail"})


def _q(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(*parts: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


# --- ingest -------------------------------------------------------------------------------


def _reader(path: Path, obj: SourceObject) -> str:
    if obj.fmt == "jsonl":
        return f"read_json({_q(path)}, format = 'newline_delimited')"
    if obj.fmt == "qualtrics_csv":
        # three header records: names, question text, import ids
        with path.open(encoding="utf-8-sig", newline="") as fh:
            names = next(csv.reader(fh))
        listed = ", ".join(_q(n) for n in names)
        return f"read_csv({_q(path)}, skip = 3, header = false, names = [{listed}], {DIALECT})"
    return f"read_csv({_q(path)}, header = true, {DIALECT})"


def _reader_many(paths: list[Path], obj: SourceObject) -> str:
    """One reader over several nights' files of an object, with each row's ``filename``."""
    listed = "[" + ", ".join(_q(p) for p in paths) + "]"
    if obj.fmt == "jsonl":
        return f"read_json({listed}, format = 'newline_delimited', filename = true)"
    if obj.fmt == "qualtrics_csv":
        # one reader per file (a night with no responses sniffs differently), in one query
        files = [f"(select *, {_q(p)} as filename from {_reader(p, obj)})" for p in paths]
        return "(" + " union all by name ".join(files) + ")"
    return f"read_csv({listed}, header = true, filename = true, union_by_name = true, {DIALECT})"


def ingest(landing: Path, nights: list[date], out: Path, con: duckdb.DuckDBPyConnection) -> dict:
    """Every object file of the nights' deliveries, read by DuckDB and written as Parquet:
    one night as one file per object, several nights in one pass per object (a file per
    object, the night taken from each file's path)."""
    rows: dict[str, int] = {}
    for obj in OBJECTS:
        paths = [
            path
            for night in nights
            if (path := landing / obj.source / f"dt={night.isoformat()}" / obj.filename).is_file()
            and path.stat().st_size > 0
        ]
        if not paths:
            continue
        span = nights[0].isoformat() + ("" if len(nights) == 1 else f"..{nights[-1].isoformat()}")
        # a range of nights is one folder here (the floor reads them in one pass), so the
        # partition is named by the span; the rest of the path is the lake's
        target = Lake(out).object_dir(RAW, obj.source, obj.name) / f"dt={span}" / PART
        target.parent.mkdir(parents=True, exist_ok=True)
        if len(paths) == 1:
            relative = paths[0].relative_to(landing).as_posix()
            lineage = f"date {_q(nights[0].isoformat())} as _extract_date, {_q(relative)} as _file"
            reader = _reader(paths[0], obj)
            columns = "*"
        else:
            lineage = (
                "cast(regexp_extract(filename, 'dt=([0-9-]+)', 1) as date) as _extract_date, "
                f"replace(filename, {_q(str(landing) + '/')}, '') as _file"
            )
            reader = _reader_many(paths, obj)
            columns = "* exclude (filename)"
        query = (
            f"select {columns}, {_q(obj.source)} as _source, {_q(obj.name)} as _object, "
            f"{lineage} from {reader}"
        )
        written = con.execute(f"copy ({query}) to {_q(target)} ({PARQUET})").fetchall()
        rows[obj.qualified] = int(written[0][0]) if written else 0
    return rows


# --- the SQL dbt compiled -------------------------------------------------------------------


@dataclass
class SqlTimes:
    models_s: float = 0.0
    tests_s: float = 0.0
    seeds_s: float = 0.0
    nodes: list[dict] = field(default_factory=list)
    test_failures: int = 0


def _depends_on(node: dict) -> list[str]:
    return (node.get("depends_on") or {}).get("nodes") or []


def _ordered(results: list[dict], manifest: dict) -> list[dict]:
    """The executed nodes in dependency order; ties keep the order dbt finished them in."""
    ran = {r["unique_id"]: r for r in results if r.get("status") in RAN}
    ran = {uid: r for uid, r in ran.items() if uid in manifest["nodes"]}
    position = {uid: i for i, uid in enumerate(ran)}
    parents = {uid: {p for p in _depends_on(manifest["nodes"][uid]) if p in ran} for uid in ran}
    children: dict[str, list[str]] = {uid: [] for uid in ran}
    for uid, ps in parents.items():
        for p in ps:
            children[p].append(uid)
    waiting = {uid: len(ps) for uid, ps in parents.items()}
    ready = [(position[uid], uid) for uid, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[dict] = []
    while ready:
        _, uid = heapq.heappop(ready)
        order.append(ran[uid])
        for child in children[uid]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (position[child], child))
    if len(order) != len(ran):
        raise RuntimeError("dbt nodes form a cycle: cannot order them")
    return order


def _exists(con: duckdb.DuckDBPyConnection, database: str, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
        "and table_name = ?",
        [database, schema, name],
    ).fetchall()
    return bool(found[0][0])


def _night_from(args: dict) -> str | None:
    """The first night a dbt invocation computed: its `night_from` var when set by hand, else
    its event-time start (how `rapport run` passes the window, macros/night_window.sql)."""
    night_from = (args.get("vars") or {}).get("night_from")
    if night_from is None and args.get("event_time_start"):
        night_from = str(args["event_time_start"])[:10]
    return night_from


def _model_sql(
    con: duckdb.DuckDBPyConnection, node: dict, compiled: str, night_from: str | None
) -> list[str]:
    """The statements that materialize one model the way dbt-duckdb does (and Rapport's
    `replace_versions` strategy, macros/versioned.sql)."""
    database, schema, alias = node["database"], node["schema"], node["alias"]
    relation = _ident(database, schema, alias)
    config = node["config"]
    materialized = config["materialized"]
    body = f"(\n{compiled}\n)"
    statements = [f"create schema if not exists {_ident(database, schema)}"]
    if materialized == "view":
        return [*statements, f"create or replace view {relation} as {body}"]
    if materialized == "table" or not _exists(con, database, schema, alias):
        return [*statements, f"create or replace table {relation} as {body}"]
    if materialized != "incremental":
        raise ValueError(f"{node['unique_id']}: materialization {materialized} not supported")
    tmp = _ident(f"{alias}__floor_tmp")
    strategy = config.get("incremental_strategy") or "append"
    statements += [f"create or replace temp table {tmp} as {body}"]
    if strategy == "delete+insert":
        keys = config.get("unique_key") or []
        keys = [keys] if isinstance(keys, str) else list(keys)
        match = " and ".join(f"{tmp}.{_ident(k)} = target.{_ident(k)}" for k in keys)
        statements.append(f"delete from {relation} as target using {tmp} where {match}")
    elif strategy == "replace_versions":
        key = _ident(config["unique_key"])
        since = f" or valid_from >= cast({_q(night_from)} as date)" if night_from else " or true"
        statements.append(f"delete from {relation} where {key} in (select {key} from {tmp}){since}")
    elif strategy != "append":
        raise ValueError(f"{node['unique_id']}: incremental strategy {strategy} not supported")
    return [*statements, f"insert into {relation} by name select * from {tmp}", f"drop table {tmp}"]


def _seed_sql(node: dict) -> list[str]:
    database, schema, alias = node["database"], node["schema"], node["alias"]
    path = Path(node["root_path"]) / node["original_file_path"]
    return [
        f"create schema if not exists {_ident(database, schema)}",
        f"create or replace table {_ident(database, schema, alias)} as "
        f"select * from read_csv({_q(path)}, header = true)",
    ]


def run_compiled(
    con: duckdb.DuckDBPyConnection,
    targets: Iterable[Path],
    tests: bool = True,
    replace: dict[str, str] | None = None,
) -> SqlTimes:
    """Execute what each dbt target folder's run compiled, in order, in ``con``."""
    times = SqlTimes()
    for target in targets:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        run = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
        results = run["results"]
        night_from = _night_from(run.get("args", {}))
        for result in _ordered(results, manifest):
            node = manifest["nodes"][result["unique_id"]]
            kind = node["resource_type"]
            if kind == "test" and not tests:
                continue
            compiled = result.get("compiled_code") or node.get("compiled_code") or ""
            for old, new in (replace or {}).items():
                compiled = compiled.replace(old, new)
            started = time.perf_counter()
            if kind == "model":
                for statement in _model_sql(con, node, compiled, night_from):
                    con.execute(statement)
            elif kind == "seed":
                for statement in _seed_sql(node):
                    con.execute(statement)
            elif kind == "test":
                failures = con.execute(f"select count(*) from (\n{compiled}\n) as t").fetchall()
                times.test_failures += int(failures[0][0])
            else:
                continue
            took = time.perf_counter() - started
            times.nodes.append({"node": result["unique_id"], "seconds": round(took, 4)})
            if kind == "model":
                times.models_s += took
            elif kind == "seed":
                times.seeds_s += took
            else:
                times.tests_s += took
    return times


# --- publish ---------------------------------------------------------------------------------


def publish(build_db: Path, serving: Path) -> dict[str, int]:
    """Copy the published tables into a new file, as Rapport's publish does."""
    tmp = serving.with_name(f".{serving.name}.floor")
    tmp.unlink(missing_ok=True)
    rows: dict[str, int] = {}
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"attach {_q(build_db)} as build (read_only)")
        for schema, table in PUBLISHED:
            if (schema, table) in FROM_RECORDS:
                continue  # Rapport's bookkeeping (the alerts ledger), not SQL work
            con.execute(f"create schema if not exists {_ident(schema)}")
            written = con.execute(
                f"create table {_ident(schema, table)} as select * from build.{_ident(schema, table)}"
            ).fetchall()
            rows[f"{schema}.{table}"] = int(written[0][0]) if written else 0
        con.execute("detach build")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, serving)
    return rows


def _catalog(target: Path) -> str:
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return next(n["database"] for n in manifest["nodes"].values() if n["resource_type"] == "model")


# --- one night -------------------------------------------------------------------------------


def floor_night(
    landing: Path,
    nights: list[date],
    dbt_targets: Sequence[Path],
    build_db: Path,
    serving: Path,
    ingest_out: Path,
    tests: bool = True,
    replace: dict[str, str] | None = None,
) -> dict:
    """The whole floor for one night or a range of nights; ``build_db`` holds the previous night's state (or
    does not exist, for a first night)."""
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        ingest_rows = ingest(landing, nights, ingest_out, con)
    finally:
        con.close()
    ingested = time.perf_counter()
    build_db.parent.mkdir(parents=True, exist_ok=True)
    # dbt's SQL names the warehouse by its catalog, the file's stem in dbt's profile
    catalog = _catalog(dbt_targets[0])
    con = duckdb.connect()
    try:
        con.execute(f"attach {_q(build_db)} as {_ident(catalog)}")
        con.execute(f"use {_ident(catalog)}")
        sql = run_compiled(con, dbt_targets, tests=tests, replace=replace)
        con.execute("checkpoint")
    finally:
        con.close()
    modelled = time.perf_counter()
    published = publish(build_db, serving)
    finished = time.perf_counter()
    return {
        "ingest_s": round(ingested - started, 3),
        "sql_s": round(modelled - ingested, 3),
        "sql_models_s": round(sql.models_s + sql.seeds_s, 3),
        "sql_tests_s": round(sql.tests_s, 3),
        "publish_s": round(finished - modelled, 3),
        "total_s": round(finished - started, 3),
        "test_failures": sql.test_failures,
        "ingest_rows": ingest_rows,
        "published_rows": published,
        "nodes": sql.nodes,
        "duckdb": duckdb.__version__,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--night", type=date.fromisoformat, required=True, help="(first) night")
    parser.add_argument("--to", type=date.fromisoformat, help="last night of a range")
    parser.add_argument(
        "--dbt-target", type=Path, action="append", required=True, help="in run order"
    )
    parser.add_argument("--build-db", type=Path, required=True)
    parser.add_argument("--serving", type=Path, required=True)
    parser.add_argument("--ingest-out", type=Path, required=True)
    parser.add_argument("--no-tests", action="store_true", help="leave dbt's data tests out")
    parser.add_argument(
        "--replace",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="rewrite a path in the compiled SQL (a raw zone that was moved)",
    )
    parser.add_argument("--json", type=Path, help="write the result here (else stdout)")
    args = parser.parse_args(argv)
    result = floor_night(
        args.landing,
        [
            args.night + timedelta(days=i)
            for i in range(((args.to or args.night) - args.night).days + 1)
        ],
        args.dbt_target,
        args.build_db,
        args.serving,
        args.ingest_out,
        tests=not args.no_tests,
        replace=dict(r.split("=", 1) for r in args.replace),
    )
    text = json.dumps(result, indent=1)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
