"""Overrides: a versioned log; the one in force per account; expiry; refusals."""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from rapport import overrides


def _add(records: Path, account: str = "A1", **kw: object) -> int:
    args = {
        "quadrant": "truly_loyal",
        "risk_tier": None,
        "reason": "renewal signed",
        "author": "kim",
        "effective_from": date(2026, 10, 10),
        "expires_on": date(2026, 10, 20),
    }
    args.update(kw)
    return overrides.add(records, account, **args)


def test_the_log_keeps_every_version_and_the_latest_add_is_in_force(tmp_path: Path) -> None:
    assert _add(tmp_path) == 1
    assert _add(tmp_path, risk_tier="low", quadrant=None, reason="exec sponsor call") == 2
    assert _add(tmp_path, "A2", quadrant="accessible") == 3
    assert overrides.remove(tmp_path, "A2", "lee") == 4
    active = overrides.current(tmp_path)
    assert [(o.account_id, o.quadrant, o.risk_tier, o.version) for o in active] == [
        ("A1", None, "low", 2)
    ]
    assert [e["action"] for e in overrides.history(tmp_path)] == ["add", "add", "add", "remove"]
    frame = pl.read_parquet(tmp_path / overrides.ACTIVE)
    assert frame.select("account_id", "risk_tier", "reason").rows() == [
        ("A1", "low", "exec sponsor call")
    ]


def test_an_override_lapses_after_its_expiry(tmp_path: Path) -> None:
    _add(tmp_path)
    (o,) = overrides.current(tmp_path)
    assert o.status(date(2026, 10, 9)) == "scheduled"
    assert o.status(date(2026, 10, 20)) == "in force"
    assert o.status(date(2026, 10, 21)) == "expired"


def test_an_empty_active_file_exists_for_dbt_before_any_override(tmp_path: Path) -> None:
    overrides.ensure_active(tmp_path)
    frame = pl.read_parquet(tmp_path / overrides.ACTIVE)
    assert frame.height == 0
    assert frame.schema["expires_on"] == pl.Date


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"quadrant": None}, "say what to pin"),
        ({"quadrant": "happy"}, "quadrant 'happy' is not one of"),
        ({"quadrant": None, "risk_tier": "extreme"}, "risk tier 'extreme' is not one of"),
        ({"reason": "  "}, "needs a reason"),
        ({"expires_on": date(2026, 10, 1)}, "expires (2026-10-01) before it starts (2026-10-10)"),
    ],
)
def test_a_bad_override_is_refused_and_nothing_is_recorded(
    tmp_path: Path, kw: dict, message: str
) -> None:
    with pytest.raises(
        overrides.OverrideError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        _add(tmp_path, **kw)
    assert overrides.history(tmp_path) == []


def test_removing_an_account_without_override_is_refused(tmp_path: Path) -> None:
    with pytest.raises(overrides.OverrideError, match="A9 has no override"):
        overrides.remove(tmp_path, "A9", "kim")


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ({"effective_from": "2026-02-30"}, "effective_from or expires_on is not a date"),
        ({"action": None}, "action None is neither 'add' nor 'remove'"),
        ({"version": None}, "add entry without version"),
        ({"quadrant": "loyalish"}, "quadrant 'loyalish' is not one of truly_loyal"),
        ({"risk_tier": "extreme"}, "risk tier 'extreme' is not one of low, medium, high"),
        ({"expires_on": "2026-10-01"}, "it expires (2026-10-01) before it starts (2026-10-10)"),
    ],
    ids=["bad-date", "no-action", "no-version", "bad-quadrant", "bad-tier", "ends-first"],
)
def test_a_log_line_edited_by_hand_is_refused_with_its_file_and_line(
    tmp_path: Path, edit: dict, problem: str
) -> None:
    _add(tmp_path)
    log = tmp_path / overrides.LOG
    entry = {**json.loads(log.read_text()), **edit, "version": edit.get("version", 2)}
    log.write_text(log.read_text() + json.dumps(entry) + "\n")

    for read in (overrides.current, overrides.history, overrides.write_active):
        with pytest.raises(overrides.OverrideError) as caught:
            read(tmp_path)
        assert str(caught.value).startswith(f"{log}:2: {problem}")


def test_a_line_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    log = tmp_path / overrides.LOG
    log.write_text("[1, 2]\n")
    with pytest.raises(overrides.OverrideError, match=r"overrides.jsonl:1: not an override entry"):
        overrides.current(tmp_path)


def test_a_log_changed_after_the_active_file_is_applied_by_the_next_run(tmp_path: Path) -> None:
    _add(tmp_path)
    log = tmp_path / overrides.LOG
    restored = log.read_text()  # a backup of the log with one override
    overrides.remove(tmp_path, "A1", "kim")
    assert pl.read_parquet(tmp_path / overrides.ACTIVE).height == 0

    log.write_text(restored)  # restored after the active file was written
    os.utime(log, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    overrides.ensure_active(tmp_path)

    assert pl.read_parquet(tmp_path / overrides.ACTIVE)["account_id"].to_list() == ["A1"]


def test_an_account_id_copied_from_a_salesforce_page_is_the_marts_id(tmp_path: Path) -> None:
    """A 15-character id (a Salesforce page address) pins the account the marts hold under
    its 18-character form; removing it by either form works."""
    _add(tmp_path, " 001A0000006Vm9r ")
    assert [o.account_id for o in overrides.current(tmp_path)] == ["001A0000006Vm9rIAC"]
    overrides.remove(tmp_path, "001A0000006Vm9r", "lee")
    assert overrides.current(tmp_path) == []
