"""The judging arithmetic of the validity harness: a watchlist against the true outcomes, and
the in-sample bound (the best any weights of the same features could do on the night).

Everything here is pure (sets, arrays, frames in; figures out) so it is unit-tested apart
from the pipeline.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class Judged:
    """One watchlist judged against the accounts that are truly satisfied-but-leaving."""

    name: str
    flagged: int  # watchlist size
    hits: int  # flagged accounts that are truly satisfied-but-leaving
    positives: int  # truly satisfied-but-leaving accounts in the population
    population: int  # accounts scored on the night (customers)

    @property
    def precision(self) -> float | None:
        return self.hits / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.hits / self.positives if self.positives else None

    @property
    def base_rate(self) -> float | None:
        return self.positives / self.population if self.population else None

    @property
    def lift(self) -> float | None:
        if self.precision is None or not self.base_rate:
            return None
        return self.precision / self.base_rate

    def as_dict(self) -> dict[str, object]:
        figures = {
            k: (None if v is None else round(v, 4))
            for k, v in (
                ("precision", self.precision),
                ("recall", self.recall),
                ("lift", self.lift),
                ("base_rate", self.base_rate),
            )
        }
        return {**asdict(self), **figures}


def judge(name: str, flagged: set[str], positives: set[str], population: set[str]) -> Judged:
    """`flagged` judged against `positives`, both within `population` (accounts outside it
    are not counted: they were not customers on the night)."""
    flagged, positives = flagged & population, positives & population
    return Judged(name, len(flagged), len(flagged & positives), len(positives), len(population))


def best_at_recall(
    name: str,
    accounts: list[str],
    scores: np.ndarray,
    positives: set[str],
    population: set[str],
    min_recall: float,
) -> Judged:
    """The most precise watchlist "score at or above a threshold" over `accounts` whose recall
    (of all `positives` in `population`) is at least `min_recall`; the watchlist with the
    highest recall when none reaches it. Ties in score are flagged together."""
    if len(accounts) != len(scores):
        raise ValueError("one score per account")
    rows = [
        judge(
            name,
            {a for a, s in zip(accounts, scores, strict=True) if s >= t},
            positives,
            population,
        )
        for t in np.unique(scores)
    ]
    reaching = [r for r in rows if (r.recall or 0.0) >= min_recall]
    if reaching:  # most precise; among equals, the one finding more
        return max(reaching, key=lambda r: (r.precision or 0.0, r.hits))
    if rows:  # none reaches: the one finding most, then the smallest
        return max(rows, key=lambda r: (r.hits, -r.flagged))
    return judge(name, set(), positives, population)


def bound_scores(features: pl.DataFrame, labels: np.ndarray, c: float) -> np.ndarray:
    """In-sample scores of a regularised (L2, strength `c`) logistic model of `labels` on
    `features` (numeric columns, nulls as 0), fit and scored on the same rows."""
    return bound_model(features, labels, c)[0]


def bound_model(
    features: pl.DataFrame, labels: np.ndarray, c: float
) -> tuple[np.ndarray, dict[str, float]]:
    """`bound_scores`, and the model's coefficient per feature (on standardised features:
    how much each one moves the log-odds per standard deviation)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = features.fill_null(0).cast(pl.Float64).to_numpy()
    y = np.asarray(labels, dtype=int)
    if x.shape[1] == 0 or y.min(initial=0) == y.max(initial=0):
        return np.zeros(len(y)), dict.fromkeys(features.columns, 0.0)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
    model.fit(x, y)
    coefficients = model[-1].coef_[0]
    named = {n: round(float(v), 3) for n, v in zip(features.columns, coefficients, strict=True)}
    return model.predict_proba(x)[:, 1], named


def cross_validated_bound_scores(
    features: pl.DataFrame, labels: np.ndarray, c: float, folds: int, repeats: int, seed: int
) -> np.ndarray:
    """The bound's model scored honestly: each row's score comes from fits on the other
    folds (stratified `folds`-fold, averaged over `repeats` shuffles). The in-sample bound
    fits as many coefficients as there are signals to a handful of positives and so
    flatters itself; this is what weights fitted on the cut night's own labels, but not on
    the account they score, reach: a bound no weights learnt from earlier nights can be
    expected to beat."""
    from sklearn.model_selection import StratifiedKFold

    x = features.fill_null(0).cast(pl.Float64)
    y = np.asarray(labels, dtype=int)
    out = np.zeros(len(y))
    folds = min(folds, int(y.sum()), int(len(y) - y.sum()))
    if x.width == 0 or folds < 2:
        return out
    for r in range(repeats):
        split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed + r)
        for train, test in split.split(np.zeros(len(y)), y):
            out[test] += _fit_and_score(x[train], y[train], x[test], c) / repeats
    return out


def _fit_and_score(
    x_train: pl.DataFrame, y_train: np.ndarray, x_test: pl.DataFrame, c: float
) -> np.ndarray:
    """The bound's model fitted on the train rows, its probabilities on the test rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if y_train.min(initial=0) == y_train.max(initial=0):
        return np.full(x_test.height, float(y_train.mean()) if len(y_train) else 0.0)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
    model.fit(x_train.to_numpy(), y_train)
    return model.predict_proba(x_test.to_numpy())[:, 1]


def support(features: pl.DataFrame, labels: np.ndarray) -> dict[str, dict[str, float]]:
    """Per feature: how many positive and negative rows show it (value > 0), and its mean
    among each: which signals separate the truly leaving from the rest."""
    y = pl.Series(np.asarray(labels, dtype=bool))
    out: dict[str, dict[str, float]] = {}
    for name in features.columns:
        v = features[name].fill_null(0).cast(pl.Float64)
        pos, neg = v.filter(y), v.filter(~y)
        out[name] = {
            "positives_with": int((pos > 0).sum()),
            "negatives_with": int((neg > 0).sum()),
            "mean_positives": round(float(pos.mean() or 0.0), 3),
            "mean_negatives": round(float(neg.mean() or 0.0), 3),
        }
    return out


@dataclass(frozen=True)
class Targets:
    """What the issue asks of the tuned watchlist."""

    recall_factor: float  # tuned recall at least this many times the default's
    precision: float
    recall: float
    lift: float


def verdict(default: Judged, tuned: Judged | None, targets: Targets) -> dict[str, bool | None]:
    """Each target met (True), missed (False), or not measurable (None: no tuned row)."""
    if tuned is None or tuned.precision is None:
        return dict.fromkeys(("recall_doubled", "precision_kept", "operating_point"), None)
    d_recall, d_precision = default.recall or 0.0, default.precision or 0.0
    return {
        "recall_doubled": (tuned.recall or 0.0) >= targets.recall_factor * d_recall
        and (tuned.recall or 0.0) > 0,
        "precision_kept": tuned.precision >= d_precision,
        "operating_point": tuned.precision >= targets.precision
        and (tuned.recall or 0.0) >= targets.recall
        and (tuned.lift or 0.0) >= targets.lift,
    }
