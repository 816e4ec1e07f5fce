"""Reading the watchlist (marts.satisfied_at_risk) out of a warehouse file."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from rapport.safe_output import csv_row, printable
from rapport.state_errors import UnreadableState

COLUMNS = (
    "watchlist_rank",
    "as_of_date",
    "account_id",
    "account_name",
    "owner_name",
    "arr",
    "arr_at_risk",
    "renewal_date",
    "satisfaction_score",
    "loyalty_risk_score",
    "reasons",
)


@dataclass(frozen=True)
class Watchlist:
    as_of_date: date | None
    accounts: int
    arr_at_risk: float
    rows: list[dict[str, object]]


def read_watchlist(warehouse: Path, limit: int | None = None) -> Watchlist:
    """The `accessible` accounts, largest ARR at risk first; read-only, never blocks a run."""
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist (run `rapport run` first)")
    try:
        return _read(warehouse, limit)
    except duckdb.Error as e:
        problem = " ".join(str(e).split())[:200]
        raise UnreadableState(
            f"warehouse {warehouse} cannot be read ({problem}): `rapport run` republishes it "
            "from the build warehouse"
        ) from None


def _read(warehouse: Path, limit: int | None) -> Watchlist:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        total = con.execute(
            "select count(*), coalesce(sum(arr_at_risk), 0) from marts.satisfied_at_risk"
        ).fetchall()[0]
        as_of = con.execute("select max(as_of_date) from marts.account_loyalty_risk").fetchall()[0][
            0
        ]
        sql = f"select {', '.join(COLUMNS)} from marts.satisfied_at_risk order by watchlist_rank"
        if limit is not None:
            sql += f" limit {int(limit)}"
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    return Watchlist(as_of, int(total[0]), float(total[1]), rows)


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no Infinity or NaN
    return value


def render(watchlist: Watchlist, fmt: str) -> str:
    rows = [{k: _plain(v) for k, v in r.items()} for r in watchlist.rows]
    if fmt == "json":
        return json.dumps(rows, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(csv_row(r) for r in rows)
        return out.getvalue()
    head = (
        f"Satisfied but at risk on {watchlist.as_of_date}: {watchlist.accounts} account(s), "
        f"{watchlist.arr_at_risk:,.0f} ARR at risk"
    )
    lines = [head, ""]
    for r in ({k: printable(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows):
        lines.append(
            f"{r['watchlist_rank']:>3}. {r['account_name']} ({r['account_id']}), owner "
            f"{r['owner_name']}: ARR {r['arr'] or 0:,.0f}, at risk {r['arr_at_risk'] or 0:,.0f}, "
            f"satisfaction {r['satisfaction_score']}, risk {r['loyalty_risk_score']}, "
            f"renewal {r['renewal_date']}"
        )
        lines.append(f"     why: {r['reasons']}")
    return "\n".join(lines)
