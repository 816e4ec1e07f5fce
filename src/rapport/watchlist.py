"""Reading the watchlist (marts.satisfied_at_risk) out of a warehouse file."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from rapport.publish import read_publication
from rapport.safe_output import csv_row, printable
from rapport.state_errors import UnreadableState

COLUMNS = (
    "watchlist_rank",
    "as_of_date",
    "account_id",
    "account_name",
    "owner_id",
    "owner_name",
    "arr",
    "arr_at_risk",
    "expected_arr_loss",
    "renewal_date",
    "days_to_renewal",
    "satisfaction_score",
    "loyalty_risk_score",
    "risk_tier",
    "quadrant",
    "quadrant_override",
    "override_reason",
    "reasons",
)


@dataclass(frozen=True)
class WatchlistFilter:
    """Narrow the watchlist: an owner (name or id, case-insensitive), renewals within a
    number of days (0..N, renewals already past excluded), a minimum ARR."""

    owner: str | None = None
    renewal_within: int | None = None
    min_arr: float | None = None

    def where(self) -> tuple[str, list[object]]:
        clauses, params = ["true"], []
        if self.owner is not None:
            clauses.append("(lower(owner_name) = lower(?) or lower(owner_id) = lower(?))")
            params += [self.owner, self.owner]
        if self.renewal_within is not None:
            clauses.append("days_to_renewal between 0 and ?")
            params.append(self.renewal_within)
        if self.min_arr is not None:
            clauses.append("arr >= ?")
            params.append(self.min_arr)
        return " and ".join(clauses), params

    def describe(self) -> str:
        parts = []
        if self.owner is not None:
            parts.append(f"owner {self.owner}")
        if self.renewal_within is not None:
            parts.append(f"renewal within {self.renewal_within} days")
        if self.min_arr is not None:
            parts.append(f"ARR at least {self.min_arr:,.0f}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Watchlist:
    as_of_date: date | None
    accounts: int
    arr_at_risk: float
    rows: list[dict[str, object]]
    currency: str = "EUR"
    filters: WatchlistFilter = field(default_factory=WatchlistFilter)


def read_watchlist(
    warehouse: Path, limit: int | None = None, filters: WatchlistFilter | None = None
) -> Watchlist:
    """The `accessible` accounts, largest ARR at risk first; read-only, never blocks a run."""
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist (run `rapport run` first)")
    try:
        return _read(warehouse, limit, filters or WatchlistFilter())
    except duckdb.Error as e:
        problem = " ".join(str(e).split())[:200]
        raise UnreadableState(
            f"warehouse {warehouse} cannot be read ({problem}): `rapport run` republishes it "
            "from the build warehouse"
        ) from None


def _read(warehouse: Path, limit: int | None, filters: WatchlistFilter) -> Watchlist:
    where, params = filters.where()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        total = con.execute(
            "select count(*), coalesce(sum(arr_at_risk), 0) from marts.satisfied_at_risk "
            f"where {where}",
            params,
        ).fetchall()[0]
        as_of, currency = read_publication(con)
        sql = (
            f"select {', '.join(COLUMNS)} from marts.satisfied_at_risk where {where} "
            "order by watchlist_rank"
        )
        if limit is not None:
            sql += f" limit {int(limit)}"
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    return Watchlist(as_of, int(total[0]), float(total[1]), rows, currency, filters)


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no Infinity or NaN
    return value


def render(watchlist: Watchlist, fmt: str) -> str:
    rows = [
        {**{k: _plain(v) for k, v in r.items()}, "currency": watchlist.currency}
        for r in watchlist.rows
    ]
    if fmt == "json":
        return json.dumps(rows, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*COLUMNS, "currency"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(csv_row(r) for r in rows)
        return out.getvalue()
    cur = watchlist.currency
    narrowed = f" ({watchlist.filters.describe()})" if watchlist.filters.describe() else ""
    head = (
        f"Satisfied but at risk on {watchlist.as_of_date}{narrowed}: {watchlist.accounts} "
        f"account(s), {watchlist.arr_at_risk:,.0f} {cur} of ARR at risk"
    )
    lines = [printable(head), ""]
    for r in ({k: printable(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows):
        pinned = (
            f", pinned {r['quadrant_override']} ({r['override_reason']})"
            if r["quadrant_override"]
            else ""
        )
        lines.append(
            f"{r['watchlist_rank']:>3}. {r['account_name']} ({r['account_id']}), owner "
            f"{r['owner_name']}: ARR {r['arr'] or 0:,.0f} {cur}, satisfaction "
            f"{r['satisfaction_score']}, risk {r['loyalty_risk_score']} ({r['risk_tier']}), "
            f"renewal {r['renewal_date']} (in {r['days_to_renewal']} days){pinned}"
        )
        lines.append(f"     why: {r['reasons']}")
    return "\n".join(lines)
