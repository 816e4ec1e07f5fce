"""What the nightly report shows, read from the serving warehouse and the lake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import yaml

from rapport.contract import SOURCES
from rapport.paths import Paths
from rapport.project import dbt_project_dir
from rapport.publish_gates import loads_of
from rapport.quarantine import read_quarantine

Rows = list[dict[str, object]]


@dataclass(frozen=True)
class ReportData:
    night: date
    published_at: datetime
    currency: str
    satisfied_threshold: float
    high_risk_threshold: float
    accounts: Rows  # the latest night, every customer account
    watchlist: Rows
    movers: Rows
    movers_days: int | None
    trend: Rows  # per night: watchlist size and ARR, book ARR at risk
    owners: Rows
    backtest: Rows
    loads: Rows  # the night's deliveries: rows read, loaded, quarantined
    quarantined: int
    freshness: Rows
    attribution: Rows  # survey responses and tickets by attribution and outcome


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Rows:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def scoring_thresholds(project: Path | None = None) -> tuple[float, float]:
    """`satisfied_threshold` and `high_risk_threshold` from dbt_project.yml (the quadrant
    lines of the chart)."""
    project = project or dbt_project_dir()
    config = yaml.safe_load((project / "dbt_project.yml").read_text())
    return float(config["vars"]["satisfied_threshold"]), float(
        config["vars"]["high_risk_threshold"]
    )


def read_report_data(paths: Paths, trend_nights: int, top_rows: int) -> ReportData:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        night, published_at, currency = con.execute(
            "select as_of_date, published_at, currency from rapport.publication"
        ).fetchall()[0]
        accounts = _rows(
            con,
            "select account_id, account_name, owner_name, arr, satisfaction_score, "
            "loyalty_risk_score, risk_tier, quadrant, quadrant_override, override_reason, reasons "
            "from marts.account_loyalty_risk order by account_id",
        )
        watchlist = _rows(
            con,
            "select watchlist_rank, account_id, account_name, owner_name, arr, "
            "expected_arr_loss, renewal_date, days_to_renewal, satisfaction_score, "
            "loyalty_risk_score, quadrant_override, override_reason, reasons "
            "from marts.satisfied_at_risk order by watchlist_rank limit ?",
            [top_rows],
        )
        movers_days = con.execute(
            "select max(days_back) from marts.account_risk_movers where as_of_date = ?", [night]
        ).fetchall()[0][0]
        movers = _rows(
            con,
            "select account_id, account_name, owner_name, arr, movement, baseline_date, "
            "risk_score_before, loyalty_risk_score, risk_change, quadrant_before, quadrant, "
            "signals_appeared, signals_lapsed from marts.account_risk_movers "
            "where as_of_date = ? and days_back = ? "
            "order by case movement when 'entered_watchlist' then 0 when 'left_watchlist' then 1 "
            "else 2 end, abs(coalesce(risk_change, 0)) desc, account_id limit ?",
            [night, movers_days, top_rows],
        )
        trend = _rows(
            con,
            "select as_of_date, "
            "count_if(coalesce(quadrant_override, quadrant) = 'accessible') as watchlist_accounts, "
            "coalesce(sum(arr) filter (where coalesce(quadrant_override, quadrant) = 'accessible'),"
            " 0) as watchlist_arr, coalesce(sum(arr_at_risk), 0) as arr_at_risk "
            "from marts.account_loyalty_history where as_of_date > ? "
            "group by as_of_date order by as_of_date",
            [night - timedelta(days=trend_nights)],
        )
        owners = _rows(
            con,
            "select owner_name, accounts, arr, arr_at_risk, expected_arr_loss, "
            "accessible_accounts from marts.owner_relationship_health "
            "order by arr_at_risk desc, owner_name",
        )
        backtest = _rows(
            con,
            "select as_of_date, cohort, flagged, precision, lift, horizon_complete "
            "from marts.loyalty_backtest where cohort = 'watchlist' or cohort = 'tier:high' "
            "or cohort like 'baseline%' or cohort like '%satisfaction%' "
            "order by cohort, as_of_date",
        )
        freshness = _rows(
            con,
            "select 'crm' as source, crm_status as status, count(*) as accounts "
            "from marts.account_loyalty_risk group by all union all "
            "select 'support', support_status, count(*) from marts.account_loyalty_risk "
            "group by all union all "
            "select 'surveys', surveys_status, count(*) from marts.account_loyalty_risk "
            "group by all order by 1, 2",
        )
        attribution = attribution_rows(con)
    finally:
        con.close()
    loads = [
        {
            "source": source,
            "object": e.get("object"),
            "file": e.get("file"),
            "rows_read": e.get("rows_read"),
            "rows_loaded": e.get("rows_loaded"),
            "rows_quarantined": e.get("rows_quarantined"),
            "rejected": e.get("rejected") or "",
        }
        for source in SOURCES
        for e in loads_of(paths.lake, source, [night])
    ]
    satisfied, high = scoring_thresholds()
    return ReportData(
        night=night,
        published_at=published_at,
        currency=currency,
        satisfied_threshold=satisfied,
        high_risk_threshold=high,
        accounts=accounts,
        watchlist=watchlist,
        movers=movers,
        movers_days=movers_days,
        trend=trend,
        owners=owners,
        backtest=backtest,
        loads=loads,
        quarantined=len(read_quarantine(paths.lake, night)),
        freshness=freshness,
        attribution=attribution,
    )


def attribution_rows(con: duckdb.DuckDBPyConnection) -> Rows:
    """marts.attribution_coverage, what speaks for no known account first; empty for a
    warehouse published before that mart existed (the next run publishes it)."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'attribution_coverage'"
    ).fetchall()[0][0]
    if not exists:
        return []
    return _rows(
        con,
        "select record_type, attributed_by, outcome, records, share_of_records, "
        "example_record_ids from marts.attribution_coverage "
        "order by record_type, outcome = 'account', records desc, attributed_by",
    )
