"""The quarantine gate's arithmetic: when bad rows stop a night, and which rule says so."""

from __future__ import annotations

import pytest

from rapport.config import QualityConfig
from rapport.quality_gate import GateRule, quarantine_verdict


def test_one_bad_row_in_a_small_delta_does_not_stop_the_night():
    assert quarantine_verdict(GateRule(0.05, 3, "file"), 1, 17, 2017) is None
    assert quarantine_verdict(GateRule(0.05, 3, "file"), 2, 17, 2017) is None


def test_from_the_minimum_count_the_share_of_the_file_applies():
    verdict = quarantine_verdict(GateRule(0.05, 3, "file"), 3, 4, 2004)
    assert verdict == (
        "3 of 4 rows quarantined (more than 5%) of the file's 4 rows, and at least 3: rule "
        "[quality] max_quarantined_share = 0.05, min_quarantined_rows = 3, "
        "quarantine_share_of = 'file'"
    )
    assert quarantine_verdict(GateRule(0.05, 3, "file"), 3, 100, 2100) is None  # 3 %


def test_the_share_of_the_object_judges_a_delta_against_everything_loaded():
    rule = GateRule(0.05, 3, "object")
    assert quarantine_verdict(rule, 10, 17, 2017) is None  # 10 of 2017 is 0.5 %
    verdict = quarantine_verdict(rule, 120, 150, 2150)
    assert verdict is not None and "of the object's 2150 rows" in verdict
    # the first (full) load: the object is the file
    assert "object's 100 rows" in quarantine_verdict(rule, 50, 100, 0)


def test_min_one_row_and_the_file_is_the_old_rule():
    rule = GateRule(0.05, 1, "file")
    assert quarantine_verdict(rule, 1, 17, 0) is not None
    assert quarantine_verdict(rule, 1, 20, 0) is None  # exactly 5 % is allowed


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"max_quarantined_share": 1.5}, "max_quarantined_share must be between 0 and 1"),
        ({"min_quarantined_rows": 0}, "min_quarantined_rows must be 1 or more"),
        ({"quarantine_share_of": "night"}, "quarantine_share_of must be one of file, object"),
    ],
)
def test_bad_settings_are_refused_with_their_name(fields, message):
    with pytest.raises(ValueError, match=message):
        QualityConfig(**fields)
