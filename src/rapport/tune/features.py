"""What `rapport tune` (and anyone judging it) fits on: per account and observation night,
each signal's strength and the outcome, read from a Rapport warehouse.

One row per customer account and night of `marts.account_loyalty_history`; one column per
signal (its strength that night, 0 when it did not fire); the outcome columns:

- `defected_on`, `defection_known_since`: the account's defection (null: none known);
- `last_night`: the latest night the warehouse holds (outcomes are known up to it);
- plus the night's own scoring: `satisfaction_score`, `is_satisfied`, `loyalty_risk_score`,
  `risk_tier`, `quadrant`, `behaviour_events`, `weights_version`.

Whether a night's outcome is complete depends on the horizon and on how far the caller may
look (the time split): `label(frame, horizon_days, known_by)` says it.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl

from rapport.project import dbt_project_dir

KEY = ("as_of_date", "account_id")
OUTCOME_COLUMNS = (
    "satisfaction_score",
    "is_satisfied",
    "loyalty_risk_score",
    "risk_tier",
    "quadrant",
    "behaviour_events",
    "weights_version",
    "defected_on",
    "defection_known_since",
    "last_night",
)


def seed_signals(seed: Path | None = None) -> list[str]:
    """The signals the repo's scorecard knows, in its order."""
    seed = seed or dbt_project_dir() / "seeds" / "signal_weights.csv"
    with seed.open(newline="") as f:
        return [row["signal"] for row in csv.DictReader(f)]


def signal_columns(frame: pl.DataFrame) -> list[str]:
    """The strength columns of a `load_features` frame."""
    return [c for c in frame.columns if c not in KEY and c not in OUTCOME_COLUMNS]


def load_features(warehouse: Path, satisfied_threshold: float = 65.0) -> pl.DataFrame:
    """Features and outcomes of every account and night in the warehouse (read-only)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        history = con.sql(
            f"""
            select
                h.as_of_date, h.account_id, h.satisfaction_score,
                coalesce(h.satisfaction_score >= {float(satisfied_threshold)}, false) as is_satisfied,
                h.loyalty_risk_score, h.risk_tier, h.quadrant, h.behaviour_events,
                h.weights_version,
                d.defected_on, d.known_since as defection_known_since,
                max(h.as_of_date) over () as last_night
            from marts.account_loyalty_history as h
            left join marts.account_defections as d on d.account_id = h.account_id
            """
        ).pl()
        signals = con.sql(
            "select as_of_date, account_id, signal, strength from marts.account_signal_history"
        ).pl()
    finally:
        con.close()
    names = list(dict.fromkeys([*seed_signals(), *sorted(signals["signal"].unique().to_list())]))
    wide = (
        signals.pivot(on="signal", index=list(KEY), values="strength", aggregate_function="max")
        if signals.height
        else pl.DataFrame(schema={"as_of_date": pl.Date, "account_id": pl.String})
    )
    for name in names:
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    frame = history.join(wide.select(*KEY, *names), on=list(KEY), how="left")
    return (
        frame.with_columns(pl.col(names).cast(pl.Float64).fill_null(0.0))
        .select(*KEY, *names, *OUTCOME_COLUMNS)
        .sort(KEY)
    )


def label(frame: pl.DataFrame, horizon_days: int, known_by: date) -> pl.DataFrame:
    """Add `defected` (defected within `horizon_days` after the night) using only what was
    known by `known_by`; nights whose horizon ends after `known_by` are censored (dropped),
    never counted as survivors. Accounts that had defected before the night are dropped."""
    horizon = timedelta(days=horizon_days)
    known = pl.col("defection_known_since") <= known_by
    defected_on = pl.when(known).then(pl.col("defected_on"))
    return (
        frame.filter(pl.col("as_of_date") + horizon <= known_by)
        .with_columns(defected_on.alias("_defected_on"))
        .filter(pl.col("_defected_on").is_null() | (pl.col("_defected_on") > pl.col("as_of_date")))
        .with_columns(
            (pl.col("_defected_on") <= pl.col("as_of_date") + horizon)
            .fill_null(False)
            .alias("defected"),
            (pl.col("_defected_on") - pl.col("as_of_date"))
            .dt.total_days()
            .alias("days_to_defection"),
        )
        .drop("_defected_on")
    )
