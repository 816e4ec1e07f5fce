"""Alerts: the events of `marts.alert_events`, raised once each, kept in a ledger, posted.

dbt computes the events from the marts every run (deterministic: a replay recomputes the
same ones). The ledger, `<records>/alerts.parquet`, lives beside the lake, not in it: an
event whose `alert_id` (account, event, night) is in the ledger was raised before and is
never raised or posted again, whether the night is rerun, replayed, or the whole lake is
rebuilt. The ledger is published as `marts.alerts`.

Posting (Slack-compatible `{"text": ...}`) happens only when `rapport.toml` names the
environment variable holding the webhook URL; the variable is read when a night runs. A
failed or slow post is recorded in each alert's `notification` and never fails the night.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from rapport.config import AlertConfig
from rapport.engine import Engine
from rapport.webhook import PostResult, post_json

LEDGER = "alerts.parquet"
EVENT_TEXT = {"entered_accessible": "entered the watchlist", "risk_rose": "risk rose"}
MAX_LISTED = 20

#: marts.alerts: the ledger's columns and their comments in the serving warehouse.
COLUMNS: dict[str, tuple[pl.DataType, str]] = {
    "alert_id": (pl.String, "`<account_id>|<event>|<night>`: an alert is raised once per key."),
    "as_of_date": (pl.Date, "The night the event happened."),
    "account_id": (pl.String, "The CRM account Id (`accounts.Id`)."),
    "account_name": (pl.String, "The CRM account name."),
    "owner_name": (pl.String, "The relationship owner's name."),
    "event": (pl.String, "`entered_accessible` or `risk_rose` (see marts.alert_events)."),
    "arr": (pl.Float64, "Annual recurring revenue of the account (`ARR__c`). Money."),
    "risk_score_before": (pl.Int64, "loyalty_risk_score the night before."),
    "loyalty_risk_score": (pl.Int64, "loyalty_risk_score on the night."),
    "quadrant": (pl.String, "quadrant on the night (computed)."),
    "quadrant_override": (pl.String, "The quadrant a person pinned for the night, if any."),
    "reasons": (pl.String, "The night's reasons, strongest first."),
    "raised_at": (pl.Datetime("us"), "When Rapport first saw the event (UTC)."),
    "notification": (
        pl.String,
        "`posted`, `post failed: <why>`, `not posted: no webhook configured`, or `not posted: "
        "older than the latest <post_within_nights> night(s)`.",
    ),
}
SCHEMA = {name: dtype for name, (dtype, _) in COLUMNS.items()}


@dataclass(frozen=True)
class AlertRun:
    raised: int  # new alerts this run
    posted: int
    post: PostResult | None  # None: nothing was posted
    ledger: Path


def read_ledger(records: Path) -> pl.DataFrame:
    path = records / LEDGER
    if not path.exists():
        return pl.DataFrame(schema=SCHEMA)
    return pl.read_parquet(path)


def _write_ledger(records: Path, ledger: pl.DataFrame) -> None:
    records.mkdir(parents=True, exist_ok=True)
    target = records / LEDGER
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    ledger.select(list(SCHEMA)).cast(SCHEMA).write_parquet(tmp)
    os.replace(tmp, target)


def _events(source: Engine | Path) -> tuple[pl.DataFrame, date | None]:
    """The events of the marts built by `source` (an engine, or a DuckDB build file)."""
    con = duckdb.connect()
    try:
        if isinstance(source, Path):
            con.execute(
                f"attach '{str(source).replace(chr(39), chr(39) * 2)}' as build (read_only)"
            )
        else:
            source.attach_build(con, (("marts", "alert_events"), ("marts", "account_loyalty_risk")))
        names = [c for c in SCHEMA if c not in ("raised_at", "notification")]
        rows = con.execute(
            f"select {', '.join(names)} from build.marts.alert_events "
            "order by as_of_date, account_id, event"
        ).fetchall()
        events = pl.DataFrame(rows, schema={n: SCHEMA[n] for n in names}, orient="row")
        night = con.execute(
            "select max(as_of_date) from build.marts.account_loyalty_risk"
        ).fetchall()[0][0]
    finally:
        con.close()
    return events, night


def message(alerts: pl.DataFrame, night: date, currency: str) -> dict:
    """The Slack-compatible payload: one message for the night's new alerts."""

    def esc(text: object) -> str:  # Slack's mrkdwn control characters
        return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    lines = [f"*Rapport, night {night}: {alerts.height} new alert(s)*"]
    for row in alerts.head(MAX_LISTED).iter_rows(named=True):
        before = row["risk_score_before"]
        risk = f"risk {before} → {row['loyalty_risk_score']}"
        lines.append(
            f"• *{esc(row['account_name'])}* ({esc(row['account_id'])}, owner "
            f"{esc(row['owner_name'])}) {EVENT_TEXT.get(row['event'], row['event'])}: {risk}, "
            f"ARR {row['arr'] or 0:,.0f} {esc(currency)}. Why: {esc(row['reasons'] or 'n/a')}"
        )
    if alerts.height > MAX_LISTED:
        lines.append(f"… and {alerts.height - MAX_LISTED} more in marts.alerts")
    return {"text": "\n".join(lines)}


def raise_alerts(
    source: Engine | Path,
    records: Path,
    config: AlertConfig,
    currency: str,
    environ: dict[str, str] | None = None,
) -> AlertRun:
    """Add the events not yet in the ledger, post the recent ones, and keep the outcome."""
    environ = os.environ if environ is None else environ
    ledger = read_ledger(records)
    events, night = _events(source)
    new = events.filter(~pl.col("alert_id").is_in(ledger["alert_id"].implode()))
    if new.is_empty() or night is None:
        _write_ledger(records, ledger)
        return AlertRun(0, 0, None, records / LEDGER)
    first_posted = night - timedelta(days=config.post_within_nights - 1)
    recent = new.filter(pl.col("as_of_date") >= first_posted)
    url = environ.get(config.webhook_url_env, "") if config.webhook_url_env else ""
    now = datetime.now(UTC).replace(tzinfo=None)
    old_note = f"not posted: older than the latest {config.post_within_nights} night(s)"
    if not url:
        recent_note = "not posted: no webhook configured"
        if config.webhook_url_env:
            recent_note = f"not posted: ${config.webhook_url_env} is not set"
    else:
        recent_note = "posting"  # until the post's outcome is known
    pending = new.with_columns(
        raised_at=pl.lit(now),
        notification=pl.when(pl.col("as_of_date") >= first_posted)
        .then(pl.lit(recent_note))
        .otherwise(pl.lit(old_note)),
    )
    # the ledger first: a crash during the post never raises these again
    _write_ledger(records, pl.concat([ledger, pending], how="vertical_relaxed"))
    post = None
    if url and not recent.is_empty():
        post = post_json(url, message(recent, night, currency), config.timeout_seconds)
        outcome = "posted" if post.ok else f"post failed: {post.detail}"
        pending = pending.with_columns(
            notification=pl.when(pl.col("notification") == "posting")
            .then(pl.lit(outcome))
            .otherwise(pl.col("notification"))
        )
        _write_ledger(records, pl.concat([ledger, pending], how="vertical_relaxed"))
    posted = recent.height if post is not None and post.ok else 0
    return AlertRun(new.height, posted, post, records / LEDGER)


def load_into(con: duckdb.DuckDBPyConnection, records: Path, table: str = "marts.alerts") -> int:
    """Create `table` from the ledger, with column comments; returns its rows."""
    frame = read_ledger(records).cast(SCHEMA)  # noqa: F841 (DuckDB reads the local frame)
    con.execute(f"create or replace table {table} as select * from frame")
    con.execute(
        f"comment on table {table} is 'Every alert Rapport raised: once per account, event and "
        "night, kept in a ledger beside the lake (records/alerts.parquet) so a rerun, a replay "
        "or a rebuilt lake never raises or posts it again.'"
    )
    for name, (_, text) in COLUMNS.items():
        con.execute(f"comment on column {table}.{name} is '{text.replace(chr(39), chr(39) * 2)}'")
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
