"""How good a scorecard's flags were on labelled nights: precision, recall, lift, AUC and
the median days of warning, the same figures for the default and the tuned scorecard."""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score


def auc(scores: np.ndarray, y: np.ndarray) -> float | None:
    """Area under the ROC curve; None when only one outcome is present."""
    if y.all() or not y.any():
        return None
    return float(roc_auc_score(y, scores))


def judge(frame: pl.DataFrame, scores: np.ndarray, high: int) -> dict[str, float | int | None]:
    """The watchlist (satisfied and score >= high) on labelled rows (`defected`,
    `is_satisfied`, `days_to_defection`), all nights pooled: precision, recall and lift among
    the satisfied, the AUC of the score over all accounts, the median days from an account's
    first flag to its defection."""
    y = frame["defected"].to_numpy()
    satisfied = frame["is_satisfied"].to_numpy()
    flagged = satisfied & (scores >= high)
    hits = int((flagged & y).sum())
    positives = int((satisfied & y).sum())
    base = positives / satisfied.sum() if satisfied.sum() else None
    precision = hits / flagged.sum() if flagged.sum() else None
    warned = frame.with_columns(pl.Series("_flag", flagged & y)).filter("_flag")
    first_flag = warned.group_by("account_id").agg(pl.col("days_to_defection").max())
    return {
        "rows": frame.height,
        "flagged": int(flagged.sum()),
        "flagged_defected": hits,
        "satisfied_defected": positives,
        "precision": _round(precision),
        "recall": _round(hits / positives if positives else None),
        "lift": _round(precision / base if precision is not None and base else None),
        "auc": _round(auc(scores, y)),
        "median_days_warning": (
            float(first_flag["days_to_defection"].median()) if first_flag.height else None
        ),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
