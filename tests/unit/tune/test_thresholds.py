"""The threshold rules of `rapport tune` on scores whose answer is known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from rapport.tune.config import TuneConfig
from rapport.tune.fit import choose_threshold

# ten accounts: the defectors score 90, 80, 60 and 20; the others 70, 50, 40, 30, 10, 5
SCORES = np.array([90, 80, 60, 20, 70, 50, 40, 30, 10, 5])
DEFECTED = np.array([True, True, True, True, False, False, False, False, False, False])
SETTINGS = TuneConfig(min_flagged=1)


@pytest.mark.parametrize(
    ("target", "threshold"),
    [
        (0.5, 80),  # 90 and 80: two of four defectors, the most precise list holding half
        (0.75, 60),  # three of four from 60 on
        (1.0, 20),  # every defector needs the list down to 20
    ],
)
def test_the_recall_rule_picks_the_highest_score_that_still_finds_the_target(target, threshold):
    assert choose_threshold(SCORES, DEFECTED, "recall", target, SETTINGS) == threshold


def test_the_precision_rule_is_unchanged_beside_it():
    # the lowest score flagging 90, 80, 70 and 60 (3 defectors of 4, 0.75 >= 0.7): 51;
    # from 50 on it would be 3 of 5
    assert choose_threshold(SCORES, DEFECTED, "precision", 0.7, SETTINGS) == 51


def test_an_unknown_rule_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="precision, share, recall"):
        TuneConfig(high_rule="f1")
    with pytest.raises(ValueError, match="refit_horizon is one of split, longest"):
        TuneConfig(refit_horizon="forever")
