"""Salesforce ids in one form: 15 characters become the 18-character case-safe id."""

from __future__ import annotations

import pytest

from rapport.salesforce_ids import case_safe_id


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("001A0000006Vm9r", "001A0000006Vm9rIAC"),  # A: 4th of its five (I); V: 2nd (C)
        ("001A0000006Vm9rIAC", "001A0000006Vm9rIAC"),
        ("0015g0000000004", "0015g0000000004AAA"),
        ("ZZZZZZZZZZZZZZZ", "ZZZZZZZZZZZZZZZ555"),
        ("001A", "001A"),  # not 15 characters: not a short id
        ("001A0000006Vm9-", "001A0000006Vm9-"),  # not letters and digits only
    ],
)
def test_a_short_id_gets_its_case_safe_suffix(written: str, read: str) -> None:
    assert case_safe_id(written) == read
