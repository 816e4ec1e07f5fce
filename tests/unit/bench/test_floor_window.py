"""The floor replays an incremental night from the first night its dbt invocation computed."""

from bench.floor import _night_from


def test_the_first_night_comes_from_the_event_time_flags_rapport_run_passes():
    args = {"vars": {"lake_root": "/lake"}, "event_time_start": "2026-09-03T00:00:00"}
    assert _night_from(args) == "2026-09-03"


def test_a_night_from_var_given_by_hand_wins_and_none_means_every_night():
    by_hand = {"vars": {"night_from": "2026-09-01"}, "event_time_start": "2026-09-03T00:00:00"}
    assert _night_from(by_hand) == "2026-09-01"
    assert _night_from({"vars": {}}) is None
    assert _night_from({}) is None
