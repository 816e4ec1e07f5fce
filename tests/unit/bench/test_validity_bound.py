"""The cross-validated bound: the in-sample bound's model, each account scored by fits that
did not see it."""

from __future__ import annotations

import numpy as np
import polars as pl

from bench.validity.judge import bound_scores, cross_validated_bound_scores


def _top_precision(scores: np.ndarray, y: np.ndarray) -> float:
    top = np.argsort(-scores)[: int(y.sum())]
    return float(y[top].mean())


def test_on_noise_the_in_sample_bound_flatters_itself_and_the_cross_validated_one_does_not():
    # 20 positives among 200 rows, 20 features of pure noise (base rate 0.1), three draws
    in_sample, honest = [], []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        y = np.zeros(200, dtype=bool)
        y[:20] = True
        noise = pl.DataFrame({f"n{i}": rng.random(200) for i in range(20)})
        in_sample.append(_top_precision(bound_scores(noise, y, c=1.0), y))
        honest.append(_top_precision(cross_validated_bound_scores(noise, y, 1.0, 10, 3, 0), y))
    assert np.mean(in_sample) >= 0.3  # 20 coefficients fitted to 20 positives find them
    assert np.mean(honest) <= 0.15  # scored without its own label, noise finds the base rate


def test_an_informative_feature_survives_cross_validation():
    rng = np.random.default_rng(2)
    y = rng.random(300) < 0.15
    x = pl.DataFrame({"signal": np.where(y, 1.5, 0.0) + rng.random(300), "noise": rng.random(300)})
    scores = cross_validated_bound_scores(x, y, 1.0, 10, 2, seed=0)
    assert _top_precision(scores, y) > 0.9


def test_too_few_positives_to_fold_gives_no_ranking():
    x = pl.DataFrame({"a": [0.0, 1.0, 0.5]})
    assert (
        cross_validated_bound_scores(x, np.array([True, False, False]), 1.0, 10, 2, 0) == 0
    ).all()
