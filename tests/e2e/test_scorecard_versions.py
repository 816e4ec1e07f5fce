"""An applied scorecard reaches the next run: its nights are scored with the applied weights
and thresholds, every scored mart row says which weights version scored it, and the
nights scored before keep theirs."""

from __future__ import annotations

from datetime import date

from rapport.tune import store
from rapport.tune.scorecard import default_scorecard
from tests.pipeline_helpers import generate

START = date(2026, 9, 1)
SCORED_MARTS = (
    "account_loyalty_history",
    "account_loyalty_risk",
    "satisfied_at_risk",
    "account_loyalty_signals",
    "account_signal_history",
    "owner_relationship_health",
    "loyalty_backtest",
    "loyalty_signal_backtest",
)


def test_an_applied_scorecard_scores_the_next_nights(tmp_path):
    inst = generate(tmp_path, accounts=150, start=START, days=5, seed=5)
    assert inst.run("--from", "2026-09-01", "--to", "2026-09-03") == 0

    # a scorecard as `rapport tune --apply` stores it (a real fit needs months of history)
    seed = default_scorecard()
    weights = {name: (40 if name == "complaint_tickets" else w) for name, w in seed.weights.items()}
    weights["single_threaded"] = 0
    version = store.apply(
        inst.paths.lake, {"weights": weights, "thresholds": {"high": 35, "medium": 20}}
    )
    assert version == "tune-0001"
    assert inst.run("--from", "2026-09-04", "--to", "2026-09-05") == 0

    for mart in SCORED_MARTS:
        (nulls,) = inst.serving_query(
            f"select count(*) from marts.{mart} where weights_version is null"
        )[0]
        assert nulls == 0, mart
    by_night = dict(
        inst.serving_query(
            "select as_of_date, string_agg(distinct weights_version) "
            "from marts.account_loyalty_history group by all"
        )
    )
    assert by_night == {
        date(2026, 9, d): ("default" if d <= 3 else "tune-0001") for d in range(1, 6)
    }
    assert inst.serving_query("select distinct weights_version from marts.satisfied_at_risk") in (
        [],
        [("tune-0001",)],
    )

    # the applied weights: points = weight x strength, a switched-off signal adds nothing
    # but keeps its rows; the thresholds are the applied ones
    rows = inst.serving_query(
        "select signal, max(points), min(points), count(*) from marts.account_signal_history "
        "where as_of_date = '2026-09-05' group by signal"
    )
    points = {signal: (hi, lo, n) for signal, hi, lo, n in rows}
    assert points["complaint_tickets"][0] <= 40 and points["complaint_tickets"][0] > 15
    if "single_threaded" in points:
        assert points["single_threaded"][:2] == (0, 0)
    mismatched = inst.serving_query(
        """
        select count(*) from marts.account_loyalty_history h
        left join (select account_id, sum(points) as points from marts.account_signal_history
                   where as_of_date = '2026-09-05' group by account_id) s using (account_id)
        where h.as_of_date = '2026-09-05' and h.loyalty_risk_score is not null
          and h.loyalty_risk_score <> least(100, coalesce(s.points, 0))
        """
    )[0][0]
    assert mismatched == 0
    tiers = inst.serving_query(
        "select count(*) from marts.account_loyalty_risk where loyalty_risk_score >= 35 "
        "and risk_tier <> 'high'"
    )[0][0]
    assert tiers == 0
