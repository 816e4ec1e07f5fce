"""The fit: a time split of the observation nights, a regularised logistic regression of
defection within the horizon on the signals' strengths, its coefficients as integer points
that add up to the 0-100 score, and the high/medium thresholds chosen on the fit nights.

Examples: every account and night of the fit window, weighted 1 / (the account's nights in
the window), so that an account observed on many nights counts as one account, not as many
independent examples (sklearn's `sample_weight`). Uncertainty: the fit repeated on
bootstrap samples of accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression

from rapport.tune.config import TuneConfig


class NotEnoughHistory(Exception):
    """Too little history to fit; the message says how much more is needed."""


@dataclass(frozen=True)
class Split:
    """Fit nights [fit_from, fit_to] with outcomes read up to `fit_known_by` (the night before
    the first report night); report nights [report_from, report_to] with outcomes up to
    `last_night`; the outcome `horizon_days` used, and why (`horizon_reason`)."""

    fit_from: date
    fit_to: date
    fit_known_by: date
    report_from: date
    report_to: date
    last_night: date
    horizon_days: int
    horizon_reason: str


def _nights_for(total: int, horizon: int, s: TuneConfig) -> tuple[int, int]:
    """(fit nights, report nights) that `total` calendar nights give with this horizon: the
    fit nights, one horizon (their outcomes, cut before the report), the report nights, one
    horizon (theirs)."""
    usable = total - 2 * horizon
    report = max(s.min_report_nights, int(round(usable * s.report_share)))
    return usable - report, report


def needed_nights(horizon: int, s: TuneConfig) -> int:
    """The fewest nights of history a split with this horizon (and `min_fit_nights`) needs."""
    total = 2 * horizon + s.min_report_nights + s.min_fit_nights
    while _nights_for(total, horizon, s)[0] < s.min_fit_nights:
        total += 1
    return total


def time_split(nights: list[date], last_night: date, s: TuneConfig) -> Split:
    """Fit on the earlier nights, report on the later ones. A fit night's outcome is read
    only up to the night before the first report night, and only fit nights whose whole
    horizon ends by then are used: nothing the report judges is seen by the fit.

    The horizon adapts to the history: `horizon_days` when the history holds a split with
    it and `min_fit_nights` fit nights, else the longest horizon that does, down to
    `min_horizon_days`; shorter than that, NotEnoughHistory says how many nights are missing.
    """
    first = min(nights) if nights else last_night
    total = (last_night - first).days + 1  # calendar nights: a missing night is still a day
    horizon = next(
        (
            h
            for h in range(s.horizon_days, s.min_horizon_days - 1, -1)
            if _nights_for(total, h, s)[0] >= s.min_fit_nights
        ),
        None,
    )
    if horizon is None:
        need = needed_nights(s.min_horizon_days, s)
        raise NotEnoughHistory(
            f"{total} nights of history; a split needs at least {need} "
            f"({s.min_fit_nights} fit nights, {s.min_report_nights} report nights and two "
            f"outcome horizons of at least {s.min_horizon_days} days): {need - total} more nights"
        )
    if horizon == s.horizon_days:
        reason = f"the preferred horizon (horizon_days = {s.horizon_days})"
    else:
        reason = (
            f"{total} nights of history hold no split with the preferred {s.horizon_days} days "
            f"(that needs {needed_nights(s.horizon_days, s)}): the longest horizon that leaves "
            f"{s.min_fit_nights} fit nights (min_fit_nights), at least "
            f"min_horizon_days = {s.min_horizon_days}"
        )
    fit, report = _nights_for(total, horizon, s)
    h = timedelta(days=horizon)
    fit_from = first
    fit_to = fit_from + timedelta(days=fit - 1)
    report_from = fit_to + h + timedelta(days=1)
    report_to = last_night - h
    return Split(
        fit_from,
        fit_to,
        report_from - timedelta(days=1),
        report_from,
        report_to,
        last_night,
        horizon,
        reason,
    )


def refit_horizon(split: Split, first_night: date, s: TuneConfig) -> tuple[int, str]:
    """The deployment refit's outcome horizon, and why. `split`: the split's own. `longest`:
    the longest horizon up to `horizon_days` that still leaves `min_fit_nights` nights whose
    whole horizon has passed by the last night; the refit needs one horizon, not the split's
    two, so it can learn the longer warning the watchlist is for."""
    if s.refit_horizon == "split":
        return split.horizon_days, "the split's horizon (refit_horizon = split)"
    total = (split.last_night - first_night).days + 1
    longest = min(s.horizon_days, max(split.horizon_days, total - s.min_fit_nights))
    if longest == split.horizon_days:
        return longest, "the split's horizon: the history allows no longer one"
    return longest, (
        f"the longest horizon up to horizon_days = {s.horizon_days} that leaves "
        f"{s.min_fit_nights} nights (min_fit_nights) with a complete horizon in {total} nights "
        "(refit_horizon = longest)"
    )


@dataclass
class Fitted:
    signals: list[str]
    coefficients: np.ndarray
    scale: float  # points per unit of the linear score
    points: dict[str, int]
    thresholds: dict[str, int]
    intervals: dict[str, tuple[int, int]] = field(default_factory=dict)
    c: float = 0.5
    c_reason: str = ""


def _matrix(frame: pl.DataFrame, signals: list[str]) -> np.ndarray:
    return frame.select(signals).to_numpy().astype(float)


def _account_weights(frame: pl.DataFrame) -> np.ndarray:
    counts = frame.group_by("account_id").len()
    return 1.0 / frame.join(counts, on="account_id", how="left")["len"].to_numpy().astype(float)


def example_weights(frame: pl.DataFrame, s: TuneConfig) -> np.ndarray:
    """Each row's weight: 1 / (the account's nights), times `unsatisfied_weight` for rows
    of accounts not satisfied that night (the watchlist holds only satisfied accounts);
    normalised to a mean of 1."""
    w = _account_weights(frame)
    if s.unsatisfied_weight != 1.0 and "is_satisfied" in frame.columns:
        satisfied = frame["is_satisfied"].to_numpy().astype(bool)
        w = np.where(satisfied, w, w * s.unsatisfied_weight)
    total = w.sum()
    return w * len(w) / total if total > 0 else w


def _spread(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each column's weighted standard deviation; 1 where a column does not vary."""
    mean = np.average(x, axis=0, weights=w)
    sd = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    return np.where(sd > 0, sd, 1.0)


def _nonnegative_fit(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float, s: TuneConfig
) -> np.ndarray:
    """Non-negative coefficients (per unit of each column of `x`): signals fitted as
    protective are switched off and the rest refitted, so points only ever add risk
    (`drop_protective`: "all" the negative ones at once, or the "worst" one at a time).
    With `standardise`, the penalty applies to coefficients per standard deviation, so one
    C penalises a rare strong signal and a common weak one alike."""
    keep = w > 0
    x, y, w = x[keep], y[keep], w[keep]
    scale = _spread(x, w) if s.standardise else np.ones(x.shape[1])
    active = [i for i in range(x.shape[1]) if x[:, i].max(initial=0) > 0]
    coef = np.zeros(x.shape[1])
    while active and y.any() and not y.all():
        model = LogisticRegression(C=c, max_iter=2000)
        model.fit(x[:, active] / scale[active], y, sample_weight=w)
        fitted = model.coef_[0] / scale[active]
        if (fitted > 0).all():
            coef[active] = fitted
            break
        if s.drop_protective == "worst":
            worst = active[int(np.argmin(fitted))]
            active = [i for i in active if i != worst]
        else:
            active = [i for i, c_ in zip(active, fitted, strict=True) if c_ > 0]
    return coef


def choose_c(frame: pl.DataFrame, signals: list[str], s: TuneConfig) -> tuple[float, str]:
    """The regularisation C, and why: `regularisation_c` when `c_candidates` is empty; else
    the candidate whose fits rank the held-out accounts best, by grouped cross-validation:
    accounts (all their nights together) fall into `cv_folds` folds, each fold is scored by
    a fit on the others (average precision of the linear score, example weights), and the
    candidate with the best mean wins (ties: the smaller C, the stronger penalty)."""
    if not s.c_candidates:
        return s.regularisation_c, f"fixed (regularisation_c = {s.regularisation_c:g})"
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import GroupKFold

    x = _matrix(frame, signals)
    y = frame["defected"].to_numpy().astype(bool)
    w = example_weights(frame, s)
    groups = frame["account_id"].to_numpy()
    folds = min(s.cv_folds, len(np.unique(groups)))
    results: list[tuple[float, float]] = []
    for c in sorted(s.c_candidates):
        scores = []
        for train, test in GroupKFold(n_splits=folds).split(x, y, groups):
            if not y[test].any() or not y[train].any():
                continue
            coef = _nonnegative_fit(x[train], y[train], w[train], c, s)
            held = w[test] > 0
            scores.append(
                average_precision_score(
                    y[test][held], (x[test] @ coef)[held], sample_weight=w[test][held]
                )
            )
        results.append((c, float(np.mean(scores)) if scores else 0.0))
    best = max(results, key=lambda r: (round(r[1], 4), -r[0]))
    table = ", ".join(f"{c:g}: {ap:.3f}" for c, ap in results)
    return best[0], f"grouped {folds}-fold cross-validation, average precision by C: {table}"


def fit_coefficients(
    frame: pl.DataFrame, signals: list[str], s: TuneConfig, c: float | None = None
) -> np.ndarray:
    """Non-negative coefficients, one per signal (`_nonnegative_fit` on the example weights),
    with C = `c` or `regularisation_c`."""
    y = frame["defected"].to_numpy()
    return _nonnegative_fit(
        _matrix(frame, signals),
        y,
        example_weights(frame, s),
        s.regularisation_c if c is None else c,
        s,
    )


def to_points(
    coef: np.ndarray, frame: pl.DataFrame, signals: list[str], s: TuneConfig
) -> tuple[float, dict[str, int]]:
    """Scale so that the fit nights' linear score at `score_quantile` (of accounts showing any
    signal) is 100 points; round each signal's coefficient to whole points."""
    linear = _matrix(frame, signals) @ coef
    positive = linear[linear > 0]
    top = float(np.quantile(positive, s.score_quantile)) if positive.size else 0.0
    scale = 100.0 / top if top > 0 else 0.0
    return scale, {name: int(round(c * scale)) for name, c in zip(signals, coef, strict=True)}


def score(frame: pl.DataFrame, points: dict[str, int]) -> np.ndarray:
    """The 0-100 score the models would give: sum of weight x strength, each signal that is on
    at least 1 point (as int_signals_detected computes it), capped at 100."""
    total = np.zeros(frame.height)
    for name, weight in points.items():
        if weight > 0 and name in frame.columns:
            x = frame[name].to_numpy().astype(float)
            # half away from zero, as SQL's round()
            total += np.where(x > 0, np.maximum(1, np.floor(weight * x + 0.5)), 0)
    return np.minimum(100, total)


def choose_threshold(
    scores: np.ndarray, y: np.ndarray, rule: str, target: float, s: TuneConfig
) -> int:
    """The threshold a rule picks: `precision` = the lowest score whose flagged accounts
    (score >= it) reach the target precision (the most recall at that precision; if none
    does, the most precise with at least `min_flagged` flagged); `share` = the lowest score
    that flags at most `target` of the accounts; `recall` = the highest score whose flagged
    accounts still hold `target` of the defectors (the most precise list at that recall)."""
    candidates = np.arange(1, 101)
    if rule == "share":
        for t in candidates:
            if (scores >= t).mean() <= target:
                return int(t)
        return 100
    if rule == "recall":
        defectors = max(1, int(y.sum()))
        for t in candidates[::-1]:
            if y[scores >= t].sum() / defectors >= target:
                return int(t)
        return 1
    best, best_precision = 100, -1.0
    for t in candidates:
        flagged = scores >= t
        if flagged.sum() < s.min_flagged:
            break
        precision = float(y[flagged].mean())
        if precision >= target:
            return int(t)
        if precision > best_precision:
            best, best_precision = int(t), precision
    return best


def held_out_scores(
    frame: pl.DataFrame, signals: list[str], s: TuneConfig, c: float, scale: float
) -> np.ndarray:
    """Each row's score from a fit that did not see its account: accounts fall into
    `cv_folds` folds, each fold scored with the points (on the full fit's `scale`) of a fit
    on the others. A threshold chosen on these is chosen as it will be used, on accounts the
    weights were not fitted to; in-sample scores flatter the fit's own defectors."""
    from sklearn.model_selection import GroupKFold

    groups = frame["account_id"].to_numpy()
    folds = min(s.cv_folds, len(np.unique(groups)))
    out = np.zeros(frame.height)
    for train, test in GroupKFold(n_splits=folds).split(np.zeros(frame.height), groups=groups):
        coef = fit_coefficients(frame[train], signals, s, c)
        points = {n: int(round(v * scale)) for n, v in zip(signals, coef, strict=True)}
        out[test] = score(frame[test], points)
    return out


def fit(frame: pl.DataFrame, signals: list[str], s: TuneConfig) -> Fitted:
    """Weights and thresholds from the labelled fit rows (column `defected`, `is_satisfied`)."""
    c, c_reason = choose_c(frame, signals, s)
    coef = fit_coefficients(frame, signals, s, c)
    scale, points = to_points(coef, frame, signals, s)
    scores = (
        held_out_scores(frame, signals, s, c, scale)
        if s.threshold_scores == "cross_validated"
        else score(frame, points)
    )
    y = frame["defected"].to_numpy()
    satisfied = frame["is_satisfied"].to_numpy()
    # the watchlist's population is the satisfied accounts: the high threshold is chosen there
    pop = satisfied if satisfied.sum() >= s.min_flagged * 4 else np.ones_like(satisfied, dtype=bool)
    high = choose_threshold(scores[pop], y[pop], s.high_rule, s.high_target, s)
    medium = choose_threshold(scores, y, s.medium_rule, s.medium_target, s)
    medium = max(1, min(medium, high - 1)) if high > 1 else 1
    return Fitted(
        signals, coef, scale, points, {"high": high, "medium": medium}, c=c, c_reason=c_reason
    )


def bootstrap(frame: pl.DataFrame, fitted: Fitted, s: TuneConfig) -> dict[str, tuple[int, int]]:
    """5th and 95th percentiles of each signal's points over fits on accounts drawn with
    replacement (on the same points scale as the proposal)."""
    rng = np.random.default_rng(s.seed)
    accounts = frame["account_id"].unique().sort()
    draws = []
    for _ in range(s.bootstrap_rounds):
        picked = accounts.sample(
            n=accounts.len(), with_replacement=True, seed=int(rng.integers(1 << 31))
        )
        sample = pl.DataFrame({"account_id": picked, "_copy": range(picked.len())}).join(
            frame, on="account_id", how="inner"
        )
        sample = sample.with_columns(
            (pl.col("account_id") + "#" + pl.col("_copy").cast(pl.String)).alias("account_id")
        )
        draws.append(fit_coefficients(sample, fitted.signals, s, fitted.c) * fitted.scale)
    if not draws:
        return {}
    arr = np.array(draws)
    lo, hi = np.percentile(arr, 5, axis=0), np.percentile(arr, 95, axis=0)
    return {
        name: (int(round(a)), int(round(b)))
        for name, a, b in zip(fitted.signals, lo, hi, strict=True)
    }
