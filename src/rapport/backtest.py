"""`rapport backtest`: how often the flags were right, read from a warehouse's
`marts.loyalty_backtest` and `marts.loyalty_signal_backtest`."""

from __future__ import annotations

from pathlib import Path

import duckdb

COHORT_SQL = """
with judged as (
    select * from marts.loyalty_backtest
    where horizon_complete or not (select coalesce(bool_or(horizon_complete), false) from marts.loyalty_backtest)
)
select
    cohort,
    count(*) as nights,
    min(as_of_date) as first_night,
    max(as_of_date) as last_night,
    round(avg(flagged), 1) as flagged,
    round(avg(precision), 3) as precision,
    round(avg(recall), 3) as recall,
    round(avg(lift), 2) as lift,
    round(avg(baseline_lift), 2) as baseline_lift,
    round(avg(auc), 3) as auc,
    median(median_days_warning) as median_days_warning,
    bool_and(horizon_complete) as horizon_complete
from judged
group by cohort
order by case when cohort = 'watchlist' then 0 else 1 end, cohort
"""

SIGNAL_SQL = """
select signal, accounts_with, account_nights_with, defection_rate_with, defection_rate_without,
    satisfied_defection_rate_with, satisfied_defection_rate_without
from marts.loyalty_signal_backtest
order by defection_rate_with desc nulls last, signal
"""


def _table(header: list[str], rows: list[tuple]) -> str:
    cells = [header] + [["–" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_backtest(warehouse: Path) -> str:
    """Per cohort (the watchlist, each risk tier): precision, recall and lift averaged over the
    nights whose horizon is complete, beside the satisfaction-only baseline's lift, the risk
    score's AUC and the median days of warning; then the per-signal defection rates."""
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist (run `rapport run` first)")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cohorts = con.execute(COHORT_SQL).fetchall()
        signals = con.execute(SIGNAL_SQL).fetchall()
        version = con.execute(
            "select max(weights_version) from marts.loyalty_backtest "
            "where as_of_date = (select max(as_of_date) from marts.loyalty_backtest)"
        ).fetchall()[0][0]
    finally:
        con.close()
    complete = all(r[-1] for r in cohorts) if cohorts else False
    note = (
        "nights whose horizon is complete"
        if complete
        else "no night's horizon is complete yet: figures are still filling in"
    )
    parts = [
        f"Backtest, per cohort ({note}; latest scorecard {version}):",
        _table(
            [
                "cohort",
                "nights",
                "from",
                "to",
                "flagged",
                "precision",
                "recall",
                "lift",
                "baseline lift",
                "AUC",
                "median days warning",
            ],
            [r[:-1] for r in cohorts],
        ),
        "",
        "Per signal: defection rate within the horizon with and without it (overall; satisfied):",
        _table(
            [
                "signal",
                "accounts",
                "account-nights",
                "with",
                "without",
                "satisfied with",
                "satisfied without",
            ],
            signals,
        ),
    ]
    return "\n".join(parts)
