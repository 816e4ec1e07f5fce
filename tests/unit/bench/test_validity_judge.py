"""The validity harness's arithmetic: precision, recall, lift, the bound's operating point,
the verdict against the issue's targets, and the docs section it rewrites."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from bench.validity.judge import Targets, best_at_recall, bound_scores, judge, verdict
from bench.validity.report import BEGIN, END, bound_line, write_docs

POPULATION = {f"a{i}" for i in range(100)}
POSITIVES = {f"a{i}" for i in range(20)}  # base rate 0.2
TARGETS = Targets(recall_factor=2.0, precision=0.70, recall=0.60, lift=2.8)


def test_precision_recall_lift_of_a_watchlist() -> None:
    flagged = {f"a{i}" for i in range(0, 16)} | {"a50", "a51", "a52", "a53"}
    row = judge("w", flagged, POSITIVES, POPULATION)
    assert (row.flagged, row.hits, row.positives, row.population) == (20, 16, 20, 100)
    assert row.precision == pytest.approx(0.8)
    assert row.recall == pytest.approx(0.8)
    assert row.lift == pytest.approx(4.0)  # 0.8 / 0.2


def test_accounts_outside_the_population_do_not_count() -> None:
    row = judge("w", {"a1", "gone"}, POSITIVES | {"gone"}, POPULATION)
    assert (row.flagged, row.hits, row.positives) == (1, 1, 20)


def test_an_empty_watchlist_has_no_precision_and_zero_recall() -> None:
    row = judge("w", set(), POSITIVES, POPULATION)
    assert row.precision is None and row.lift is None and row.recall == 0.0
    assert row.as_dict()["precision"] is None


def test_the_bound_takes_the_most_precise_point_reaching_the_recall() -> None:
    accounts = sorted(POPULATION)
    # positives score 3 (12 of them) or 1 (8), negatives 2 (10) or 0 (70)
    scores = np.array(
        [
            (3.0 if int(a[1:]) < 12 else 1.0)
            if a in POSITIVES
            else (2.0 if int(a[1:]) < 30 else 0.0)
            for a in accounts
        ]
    )
    row = best_at_recall("b", accounts, scores, POSITIVES, POPULATION, 0.6)
    assert (row.flagged, row.hits) == (12, 12)  # threshold 3: precision 1.0, recall 0.6
    row = best_at_recall("b", accounts, scores, POSITIVES, POPULATION, 0.9)
    assert (row.flagged, row.hits) == (30, 20)  # threshold 1: recall 1.0, precision 20/30
    # ties are flagged together: with one score for all, everyone is on the list
    row = best_at_recall("b", accounts, np.zeros(100), POSITIVES, POPULATION, 0.6)
    assert row.flagged == 100


def test_the_bound_model_ranks_an_informative_feature_first() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.2
    x = pl.DataFrame({"signal": np.where(y, 2.0, 0.0) + rng.random(400), "noise": rng.random(400)})
    scores = bound_scores(x, y, c=1.0)
    assert scores[y].min() > scores[~y].max()
    assert (bound_scores(x.head(5), np.zeros(5, dtype=bool), c=1.0) == 0).all()


def test_the_verdict_against_the_targets() -> None:
    default = judge("d", {f"a{i}" for i in range(5)} | {"a90", "a91"}, POSITIVES, POPULATION)
    good = judge("t", {f"a{i}" for i in range(13)} | {"a90", "a91"}, POSITIVES, POPULATION)
    assert verdict(default, good, TARGETS) == {
        "recall_doubled": True,  # 0.65 >= 2 x 0.25
        "precision_kept": True,  # 13/15 >= 5/7
        "operating_point": True,  # 0.87 precision, 0.65 recall, lift 4.3
    }
    weak = judge(
        "t", {f"a{i}" for i in range(8)} | {f"a{i}" for i in range(50, 60)}, POSITIVES, POPULATION
    )
    v = verdict(default, weak, TARGETS)
    assert v == {"recall_doubled": False, "precision_kept": False, "operating_point": False}
    assert set(verdict(default, None, TARGETS).values()) == {None}


def test_the_docs_section_is_rewritten_in_place(tmp_path: Path) -> None:
    doc = tmp_path / "scoring.md"
    doc.write_text("# Scoring\n\nbefore\n", "utf-8")
    write_docs(doc, "first\n")
    write_docs(doc, "second\n")
    text = doc.read_text("utf-8")
    assert text.count(BEGIN) == 1 and "second" in text and "first" not in text
    assert text.startswith("# Scoring\n\nbefore\n") and text.rstrip().endswith(END)


def test_the_report_says_whether_the_bound_reaches_the_operating_point() -> None:
    targets = {"precision": 0.70, "recall": 0.60, "lift": 2.8}
    above = {"precision": 0.8, "recall": 0.65, "lift": 4.0}
    below = {"precision": 0.65, "recall": 0.62, "lift": 6.2}
    assert "reaches the operating point" in bound_line(above, targets)
    assert "below the operating point" in bound_line(below, targets)
    assert "0.65 at recall 0.62" in bound_line(below, targets)
    assert bound_line(None, targets) == "Bound: not measured."
