"""Reading the movers (marts.account_risk_movers) of the latest night out of a warehouse."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from rapport.paths import PathsError
from rapport.publish import read_publication
from rapport.safe_output import csv_row, printable
from rapport.watchlist import _plain

COLUMNS = (
    "as_of_date",
    "baseline_date",
    "account_id",
    "account_name",
    "owner_name",
    "arr",
    "movement",
    "risk_score_before",
    "loyalty_risk_score",
    "risk_change",
    "risk_tier_before",
    "risk_tier",
    "quadrant_before",
    "quadrant",
    "on_watchlist",
    "signals_appeared",
    "signals_lapsed",
    "quadrant_override",
    "override_reason",
    "reasons",
)
#: entering and leaving the watchlist first, then the largest moves
ORDER = (
    "case movement when 'entered_watchlist' then 0 when 'left_watchlist' then 1 else 2 end, "
    "abs(coalesce(risk_change, 0)) desc, arr desc nulls last, account_id"
)


@dataclass(frozen=True)
class Movers:
    as_of_date: date | None
    baseline_date: date | None
    days: int
    counts: dict[str, int]
    rose_by: int  # accounts whose score rose by at least `big_rise` points
    big_rise: int
    rows: list[dict[str, object]]
    currency: str


def read_movers(
    warehouse: Path, days: int = 7, limit: int | None = None, big_rise: int = 20
) -> Movers:
    """The accounts that moved between the latest night and the night `days` before."""
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist (run `rapport run` first)")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        night, currency = read_publication(con)
        available = [
            r[0]
            for r in con.execute(
                "select distinct days_back from marts.account_risk_movers order by 1"
            ).fetchall()
        ]
        if available and days not in available:
            raise PathsError(
                f"--days {days}: the published movers compare with "
                f"{', '.join(map(str, available))} day(s) before; comparing with {days} needs a "
                f"night {days} days before {night} in the history and {days} in "
                "`mover_baseline_days` (dbt_project.yml)"
            )
        where = "as_of_date = ? and days_back = ?"
        params = [night, days]
        counts = dict(
            con.execute(
                f"select movement, count(*) from marts.account_risk_movers where {where} "
                "group by movement",
                params,
            ).fetchall()
        )
        rose_by = con.execute(
            f"select count(*) from marts.account_risk_movers where {where} and risk_change >= ?",
            [*params, big_rise],
        ).fetchall()[0][0]
        baseline = con.execute(
            f"select max(baseline_date) from marts.account_risk_movers where {where}", params
        ).fetchall()[0][0]
        sql = f"select {', '.join(COLUMNS)} from marts.account_risk_movers where {where} order by {ORDER}"
        if limit is not None:
            sql += f" limit {int(limit)}"
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    return Movers(night, baseline, days, counts, int(rose_by), big_rise, rows, currency)


def headline(movers: Movers) -> str:
    c = movers.counts
    since = movers.baseline_date or f"{movers.days} day(s) before"
    return (
        f"Since {since} (to {movers.as_of_date}): {c.get('entered_watchlist', 0)} entered the "
        f"watchlist, {c.get('left_watchlist', 0)} left it, {movers.rose_by} rose by "
        f"{movers.big_rise}+ points; {c.get('risk_up', 0)} riskier, {c.get('risk_down', 0)} "
        f"less risky, {c.get('reclassified', 0)} reclassified, {c.get('new_account', 0)} new"
    )


def render(movers: Movers, fmt: str) -> str:
    rows = [{k: _plain(v) for k, v in r.items()} for r in movers.rows]
    if fmt == "json":
        return json.dumps(rows, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(csv_row(r) for r in rows)
        return out.getvalue()
    lines = [headline(movers), ""]
    for r in ({k: printable(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows):
        change = r["risk_change"]
        delta = f"{change:+d}" if isinstance(change, int) else "new"
        pinned = f", pinned {r['quadrant_override']}" if r["quadrant_override"] else ""
        lines.append(
            f"{r['movement']:<17} {r['account_name']} ({r['account_id']}), owner "
            f"{r['owner_name']}, ARR {r['arr'] or 0:,.0f} {movers.currency}: risk "
            f"{r['risk_score_before']} -> {r['loyalty_risk_score']} ({delta}), "
            f"{r['quadrant_before']} -> {r['quadrant']}{pinned}"
        )
        signals = []
        if r["signals_appeared"]:
            signals.append(f"+ {r['signals_appeared']}")
        if r["signals_lapsed"]:
            signals.append(f"- {r['signals_lapsed']}")
        if signals:
            lines.append(f"     signals: {'; '.join(signals)}")
    return "\n".join(lines)
