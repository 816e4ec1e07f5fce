"""`python -m bench.validity --retune` needs a kept history: without one it says so and runs
nothing (no generate, no history load); `bench.validity.replay` overrides settings by name."""

from __future__ import annotations

import pytest

from bench.validity.harness import evaluate, load_config
from bench.validity.replay import settings_with
from rapport.tune.config import TuneConfig


def test_retune_without_a_kept_history_refuses_naming_the_folder(tmp_path):
    config = load_config(accounts=20, days=3)
    work = tmp_path / "plainspoken"
    result = evaluate("plainspoken", config.variants["plainspoken"], config, work, retune=True)
    assert "--retune" in result["error"] and str(work) in result["error"]
    assert not (work / "landing").exists()  # nothing generated


def test_retune_refuses_a_history_kept_for_other_settings(tmp_path):
    config = load_config(accounts=20, days=3)
    work = tmp_path / "plainspoken"
    (work / "default").mkdir(parents=True)
    (work / "default" / "warehouse.duckdb").write_bytes(b"")
    (work / "settings.json").write_text('{"scale": "another"}')
    result = evaluate("plainspoken", config.variants["plainspoken"], config, work, retune=True)
    assert "no kept history" in result["error"]
    assert (work / "settings.json").read_text() == '{"scale": "another"}'  # left as it was


def test_replay_overrides_tune_settings_by_name():
    s = settings_with(
        TuneConfig(),
        [
            "unsatisfied_weight=0",
            "threshold_scores=cross_validated",
            "standardise=true",
            "c_candidates=[0.1, 1]",
        ],
    )
    assert (s.unsatisfied_weight, s.threshold_scores, s.standardise) == (0, "cross_validated", True)
    assert s.c_candidates == (0.1, 1.0)
    with pytest.raises(SystemExit, match="no setting 'unsatisfied'"):
        settings_with(TuneConfig(), ["unsatisfied=0"])
