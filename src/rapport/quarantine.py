"""Reading the quarantine: rows and files the ingest refused, with where and why."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

from rapport.safe_output import printable

FIELDS = ("source", "object", "extract_date", "file", "line", "column", "reason")


def read_quarantine(lake: Path, night: date | None = None) -> list[dict[str, object]]:
    """Every quarantined row and rejected file (line null), oldest night first."""
    files = sorted((lake / "quarantine").glob("*/*/dt=*/*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    try:
        where = "where extract_date = ?" if night else ""
        cursor = con.execute(
            f'select source, object, extract_date, file, line, "column", reason '
            f"from read_parquet(?, union_by_name = true) {where} "
            f"order by extract_date, source, object, file, line nulls first",
            [[str(f) for f in files], *([night] if night else [])],
        )
        return [dict(zip(FIELDS, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def render(rows: list[dict[str, object]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            [
                {
                    "source": r["source"],
                    "extract_date": r["extract_date"].isoformat(),
                    "file": r["file"],
                    "line": r["line"],
                    "column": r["column"],
                    "reason": r["reason"],
                }
                for r in rows
            ],
            indent=2,
        )
    if not rows:
        return "quarantine is empty"
    lines = [f"{len(rows)} quarantined row(s) or rejected file(s)"]
    for r in rows:
        where = f"{r['file']}:{r['line']}" if r["line"] is not None else f"{r['file']} (whole file)"
        column = f" [{r['column']}]" if r["column"] else ""
        lines.append(f"{r['extract_date']} {where}{column}: {r['reason']}")
    return "\n".join(printable(line) for line in lines)
