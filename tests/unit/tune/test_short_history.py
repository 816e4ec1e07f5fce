"""`rapport tune` on the history a new installation has after two months: the outcome
horizon adapts (and the report says so), the fit still reads no outcome after its window,
the held-back score improves, and the applied scorecard is the recipe refitted on every
complete night."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from rapport.tune.command import propose, run
from rapport.tune.config import TuneConfig
from rapport.tune.fit import NotEnoughHistory, refit_horizon, time_split
from rapport.tune.report import render_markdown
from tests.unit.tune.synthetic import START, World, build

# the shipped defaults (horizon 90, at least 14), fewer bootstrap rounds for speed
SETTINGS = TuneConfig(bootstrap_rounds=5, min_defections=15)
SIXTY = World(nights=60, lead_days=20, leaving_share=0.4)


def _nights(n: int) -> tuple[list[date], date]:
    nights = [START + timedelta(days=d) for d in range(n)]
    return nights, nights[-1]


@pytest.fixture(scope="module")
def sixty(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("tune60") / "warehouse.duckdb", SIXTY)


def test_the_horizon_adapts_to_a_short_history():
    long = time_split(*_nights(220), SETTINGS)
    assert long.horizon_days == 90 and "preferred" in long.horizon_reason

    split = time_split(*_nights(60), SETTINGS)
    # 60 nights = 15 fit nights + a 19-day horizon + 7 report nights + a 19-day horizon
    assert split.horizon_days == 19
    assert (split.fit_to - split.fit_from).days + 1 == 15
    assert (split.report_to - split.report_from).days + 1 == 7
    assert split.fit_known_by == split.report_from - timedelta(days=1)
    assert split.fit_to + timedelta(days=19) == split.fit_known_by
    assert split.report_to + timedelta(days=19) == split.last_night
    assert (
        "60 nights of history" in split.horizon_reason and "min_fit_nights" in split.horizon_reason
    )

    # more fit nights asked for: a shorter horizon, never below min_horizon_days
    more = time_split(*_nights(60), replace(SETTINGS, min_fit_nights=22))
    assert more.horizon_days == 14

    with pytest.raises(NotEnoughHistory, match="48 nights of history; .* 49 .*: 1 more nights"):
        time_split(*_nights(48), SETTINGS)


def test_a_sixty_night_history_gets_a_proposal_that_finds_more(sixty, tmp_path):
    proposal = propose(sixty, tmp_path / "lake", SETTINGS)
    data = proposal["data"]
    assert data["horizon_days"] == 19 and data["preferred_horizon_days"] == 90
    before = proposal["comparison"]["before"]["held_back"]
    after = proposal["comparison"]["after"]["held_back"]
    assert after["recall"] > (before["recall"] or 0) + 0.3
    assert after["auc"] > before["auc"] + 0.05
    assert after["precision"] >= 0.5
    report = render_markdown(proposal)
    assert "defected within 19 days after the night" in report
    assert "preferred 90 days" in report


def test_a_sixty_night_fit_reads_no_outcome_after_its_window(sixty, tmp_path):
    proposal = propose(sixty, tmp_path / "lake", SETTINGS)
    known_by = date.fromisoformat(proposal["data"]["fit_outcomes_known_by"])
    assert known_by < date.fromisoformat(proposal["data"]["report_nights"][0])
    later = build(tmp_path / "later.duckdb", SIXTY, defections_after=known_by)
    changed = propose(later, tmp_path / "lake2", SETTINGS)
    split = {s["signal"]: s["points_split"] for s in proposal["signals"]}
    assert {s["signal"]: s["points_split"] for s in changed["signals"]} == split
    for key in ("high", "medium"):
        assert changed["comparison"]["after"][key] == proposal["comparison"]["after"][key]
    assert changed["data"]["fit_defected_accounts"] == proposal["data"]["fit_defected_accounts"]
    # the held-back nights and the refit do see the added defections
    assert changed["data"]["refit_defected_accounts"] > proposal["data"]["refit_defected_accounts"]


def test_what_is_applied_is_the_recipe_refitted_on_every_complete_night(sixty, tmp_path):
    proposal = propose(sixty, tmp_path / "lake", replace(SETTINGS, refit_horizon="split"))
    data = proposal["data"]
    assert data["refit"] is True
    assert data["refit_nights"] == [data["fit_nights"][0], data["report_nights"][1]]
    assert data["refit_rows"] > data["fit_rows"] + data["report_rows"]
    assert data["refit_defected_accounts"] > data["fit_defected_accounts"]
    assert proposal["weights"] == {s["signal"]: s["points_after"] for s in proposal["signals"]}
    assert proposal["weights"]["complaint_tickets"] > proposal["weights"]["evaluated_alternatives"]
    assert "What is applied" in render_markdown(proposal)

    kept = propose(sixty, tmp_path / "lake2", replace(SETTINGS, refit=False))
    assert kept["weights"] == {s["signal"]: s["points_split"] for s in kept["signals"]}
    assert kept["thresholds"] == {
        "high": kept["comparison"]["after"]["high"],
        "medium": kept["comparison"]["after"]["medium"],
    }


def test_the_refit_learns_the_longest_warning_the_history_allows(sixty, tmp_path):
    proposal = propose(sixty, tmp_path / "lake", SETTINGS)
    data = proposal["data"]
    last = date.fromisoformat(data["last_night"])
    # the split judges with 19 days; the refit needs one horizon only: 60 nights leave
    # min_fit_nights (14) nights whose 46-day horizon has passed
    assert data["horizon_days"] == 19 and data["refit_horizon_days"] == 46
    assert data["refit_nights"] == [data["fit_nights"][0], str(last - timedelta(days=46))]
    assert "longest horizon" in data["refit_horizon_reason"]
    report = render_markdown(proposal)
    assert "outcome = defected within 46 days" in report

    same = propose(sixty, tmp_path / "lake2", replace(SETTINGS, refit_horizon="split"))
    assert same["data"]["refit_horizon_days"] == 19
    # a longer horizon counts the accounts that defect later as defected on the early nights
    assert data["refit_defected_accounts"] >= same["data"]["refit_defected_accounts"]
    assert data["refit_rows"] < same["data"]["refit_rows"]

    # a history long enough for the preferred horizon: the refit keeps it
    long = time_split(*_nights(220), SETTINGS)
    assert refit_horizon(long, START, SETTINGS)[0] == 90


def test_too_few_defections_in_a_short_history_says_how_many_nights_more(tmp_path, capsys):
    few = build(tmp_path / "few.duckdb", replace(SIXTY, leaving_share=0.08))
    lake = tmp_path / "lake"
    assert run(few, lake, "apply", SETTINGS) == 1
    out = capsys.readouterr().out
    assert "too little history, nothing changed" in out
    assert "within 19 days of a fit night" in out
    assert "more defections (about" in out and "more nights at this history's" in out
