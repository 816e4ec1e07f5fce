"""One GX validation per object over a range of nights, reported night by night (real GX)."""

from __future__ import annotations

import json
import shutil
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from rapport.contract import get_object, objects_of
from rapport.quality import validate_night, validate_nights
from rapport.quality.nights import Partition, batch_result_path, batches
from tests.raw_zone_builder import clean, rows, write

FIRST = date(2026, 11, 2)
NIGHTS = [FIRST + timedelta(days=i) for i in range(4)]


def _outcomes(found) -> dict:
    return {
        (o.extract_date, o.object): (o.success, o.blocking_failures, o.warnings, o.rows)
        for o in found
    }


def _batched_as_alone(base: Path, tmp_path: Path, source: str, nights: list) -> list:
    """The source's nights validated as one batch, checked to give exactly the outcomes of
    each night validated alone (on copies of the same raw zone); the batch's outcomes."""
    alone, batched = tmp_path / "alone", tmp_path / "batched"
    shutil.copytree(base, alone)
    shutil.copytree(base, batched)
    expected = [o for n in nights for o in validate_night(alone, tmp_path / "q1", source, n)]
    found = validate_nights(batched, tmp_path / "q2", source, nights)
    assert _outcomes(found) == _outcomes(expected)
    return found


def test_a_clean_range_is_one_validation_per_object_reported_per_night(tmp_path: Path) -> None:
    lake, quality = tmp_path / "lake", tmp_path / "quality"
    for night in NIGHTS:
        write(lake, "surveys", night, clean("surveys", n=5, night=night))
    found = validate_nights(lake, quality, "surveys", NIGHTS)
    assert [(o.extract_date, o.object) for o in found] == [(n, "responses") for n in NIGHTS]
    assert all(o.success and not o.warnings and o.rows == 5 for o in found)
    obj = get_object("surveys", "responses")
    shared = batch_result_path(quality, obj, NIGHTS[0], NIGHTS[-1])
    assert {o.result_path for o in found} == {shared}
    assert json.loads(shared.read_text())["statistics"]["evaluated_expectations"] > 0
    # the index has one row per night, each linking to the batch's page
    for night in NIGHTS:
        summary = quality / "nights" / "surveys" / f"dt={night.isoformat()}.json"
        (row,) = json.loads(summary.read_text())
        assert row["rows"] == 5
        assert (quality / "data_docs" / urllib.parse.unquote(row["page"])).is_file()


def test_findings_on_one_night_of_a_range_are_reported_as_that_night_alone(tmp_path: Path) -> None:
    """Each night's outcome equals its own validation's: a blocking value with its line and
    row-count drift."""
    base = tmp_path / "base"
    nights = [FIRST + timedelta(days=i) for i in range(10)]
    for i, night in enumerate(nights):
        n = 40 if i == 0 else 4
        data = {"responses": rows("surveys", "responses", n, night)}
        if i == 3:  # an NPS out of range on the 2nd row (line 3): blocking
            data = {"responses": rows("surveys", "responses", n, night, Q_NPS=[5, 11])}
        if i == 8:  # drift: far more rows than the usual 4
            data = {"responses": rows("surveys", "responses", 400, night)}
        write(base, "surveys", night, data)
    found = _batched_as_alone(base, tmp_path, "surveys", nights)
    by_night = {o.extract_date: o for o in found}
    assert not by_night[nights[3]].success
    assert "Q_NPS" in by_night[nights[3]].blocking_failures[0]
    assert "(line 3)" in by_night[nights[3]].blocking_failures[0]
    assert "row-count drift" in by_night[nights[8]].warnings[0]
    clean_nights = [n for i, n in enumerate(nights) if i not in (3, 8)]
    assert all(by_night[n].success and not by_night[n].warnings for n in clean_nights)


def test_a_warning_a_batch_would_let_pass_is_still_reported_on_its_night(
    tmp_path: Path,
) -> None:
    """1 of 5 accounts with an unlisted type warns on its night (over 1%); in a batch of 40
    nights the share is 0.5 %, under `mostly`: the batch must not hide it."""
    nights = [FIRST + timedelta(days=i) for i in range(40)]
    for i, night in enumerate(nights):
        types = ["Reseller"] if i == 20 else []
        write(
            tmp_path / "lake",
            "crm",
            night,
            {"accounts": rows("crm", "accounts", 5, night, Type=types)},
        )
    found = validate_nights(tmp_path / "lake", tmp_path / "q", "crm", nights)
    accounts = {o.extract_date: o for o in found if o.object == "accounts"}
    assert accounts[nights[20]].success
    assert any("Type" in w and "'Reseller' (line 2)" in w for w in accounts[nights[20]].warnings)
    assert all(not accounts[n].warnings for n in nights if n != nights[20])


def test_a_missing_column_on_one_night_blocks_that_night_only(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for i, night in enumerate(NIGHTS):
        drop = ("Q_CSAT",) if i == 2 else ()
        write(lake, "surveys", night, clean("surveys", n=5, night=night), drop=drop)
    found = {o.extract_date: o for o in validate_nights(lake, tmp_path / "q", "surveys", NIGHTS)}
    assert not found[NIGHTS[2]].success
    assert any("Q_CSAT" in m for m in found[NIGHTS[2]].blocking_failures)
    assert all(found[n].success for n in NIGHTS if n != NIGHTS[2])


def test_a_night_without_a_partition_is_reported_missing_and_the_rest_validated(
    tmp_path: Path,
) -> None:
    lake = tmp_path / "lake"
    for night in NIGHTS:
        data = clean("crm", n=3, night=night)
        if night == NIGHTS[1]:
            data.pop("tasks")  # the file was refused at ingest: no raw partition
        write(lake, "crm", night, data)
    found = validate_nights(lake, tmp_path / "q", "crm", NIGHTS)
    assert len(found) == len(NIGHTS) * len(objects_of("crm"))
    tasks = {o.extract_date: o for o in found if o.object == "tasks"}
    assert "no raw partition" in tasks[NIGHTS[1]].warnings[0]
    assert tasks[NIGHTS[1]].result_path is None
    others = [o for o in found if not (o.object == "tasks" and o.extract_date == NIGHTS[1])]
    assert all(o.success and not o.warnings for o in others), [o.summary() for o in others]


def test_batches_cap_the_validated_rows() -> None:
    frame = pl.DataFrame({"x": list(range(10))})
    parts = [Partition(FIRST + timedelta(days=i), frame, 10) for i in range(5)]
    assert [len(b) for b in batches(parts, limit=25)] == [2, 2, 1]
    assert [len(b) for b in batches(parts, limit=5)] == [1, 1, 1, 1, 1]  # a larger night alone


def test_references_are_checked_against_the_keys_delivered_up_to_each_night(
    tmp_path: Path,
) -> None:
    """A ticket's organization is known from the night it is delivered on, not before: a
    range validated at once reports the same nights as each night validated alone."""
    base = tmp_path / "base"
    nights = [FIRST + timedelta(days=i) for i in range(5)]
    for i, night in enumerate(nights):
        data = clean("support", n=4, night=night)  # organizations 1..4, tickets point at them
        if i == 1:  # organization 7 arrives only on night 2
            data["tickets"] = rows("support", "tickets", 2, night, organization_id=[1, 7])
        if i == 2:
            data["organizations"] = rows("support", "organizations", 1, night, id=[7])
            data["tickets"] = rows("support", "tickets", 2, night, organization_id=[7, 2])
        if i == 4:
            data["tickets"] = rows("support", "tickets", 2, night, organization_id=[999, 7])
        write(base, "support", night, data)
    found = _batched_as_alone(base, tmp_path, "support", nights)
    tickets = {o.extract_date: o for o in found if o.object == "tickets"}
    assert [len(tickets[n].warnings) for n in nights] == [0, 1, 0, 0, 1]
    assert "organization_id not among delivered organizations" in tickets[nights[1]].warnings[0]
    assert "7 (line 3)" in tickets[nights[1]].warnings[0]
    assert "999 (line 2)" in tickets[nights[4]].warnings[0]
