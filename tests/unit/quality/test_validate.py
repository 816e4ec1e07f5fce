"""The raw-zone suites on tiny typed partitions written with polars (real GX)."""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl
import pytest

from rapport.contract import objects_of
from rapport.quality import ObjectValidation, build_suite, result_path, validate_night
from rapport.quality.suites import BLOCKING, WARNING
from tests.raw_zone_builder import NIGHT, clean, rows, write


def run(tmp_path: Path, source: str, night: date = NIGHT) -> dict[str, ObjectValidation]:
    outcomes = validate_night(tmp_path / "lake", tmp_path / "quality", source, night)
    return {o.object: o for o in outcomes}


@pytest.mark.parametrize("source", ["crm", "support", "surveys"])
def test_clean_night_passes_and_is_saved(tmp_path: Path, source: str) -> None:
    write(tmp_path / "lake", source, NIGHT, clean(source))
    outcomes = run(tmp_path, source)
    assert set(outcomes) == {o.name for o in objects_of(source)}
    for name, o in outcomes.items():
        assert o.success and not o.blocking_failures and not o.warnings, o.summary()
        assert o.rows == 5 and o.summary().endswith("5 rows, OK")
        assert o.result_path == result_path(tmp_path / "quality", source, name, NIGHT)
        saved = json.loads(o.result_path.read_text())
        assert saved["suite_name"] == f"{source}.{name}"
        assert all(r["exception_info"]["exception_message"] is None for r in saved["results"])
    docs = tmp_path / "quality" / "data_docs"
    assert (docs / "expectations" / source).is_dir()
    assert len(list((docs / "validations" / source).rglob("*.html"))) == len(outcomes)
    index = (docs / "index.html").read_text()
    assert f"<h2>{source}</h2>" in index and "2026-11-02" in index
    links = re.findall(r'href="([^"]+)"', index)
    assert len(links) == 2 * len(outcomes)  # each object's suite, and its validation tonight
    assert all((docs / urllib.parse.unquote(link)).is_file() for link in links)


def test_out_of_range_nps_blocks(tmp_path: Path) -> None:
    data = {"responses": rows("surveys", "responses", 6, Q_NPS=[11, 42, 10, 0])}
    write(tmp_path / "lake", "surveys", NIGHT, data)
    o = run(tmp_path, "surveys")["responses"]
    assert not o.success
    [message] = o.blocking_failures
    assert "Q_NPS: range 0–10: 2 of 6 rows" in message
    assert "11 (line 2)" in message and "42 (line 3)" in message
    [failure] = o.failed_expectations
    assert failure["column"] == "Q_NPS" and failure["unexpected_count"] == 2
    assert [e["value"] for e in failure["examples"]] == [11, 42]


def test_null_key_blocks(tmp_path: Path) -> None:
    data = {"accounts": rows("crm", "accounts", 5, Id=[None])}
    write(tmp_path / "lake", "crm", NIGHT, data)
    o = run(tmp_path, "crm")["accounts"]
    assert not o.success
    assert any(m.startswith("crm.accounts Id: required: 1 of 5 rows") for m in o.blocking_failures)


def test_stamp_in_the_future_blocks(tmp_path: Path) -> None:
    late = datetime.combine(NIGHT + timedelta(days=1), time(23, 59))  # within the slack
    future = datetime.combine(NIGHT + timedelta(days=3), time(8))
    data = {"tasks": rows("crm", "tasks", 5, LastModifiedDate=[late, future])}
    write(tmp_path / "lake", "crm", NIGHT, data)
    o = run(tmp_path, "crm")["tasks"]
    assert not o.success
    [message] = o.blocking_failures
    assert message.startswith(
        "crm.tasks LastModifiedDate after the extract date + 1 day: in the future: 1 of 5 rows"
    )
    assert "2026-11-05T08:00:00" in message and "(line 3)" in message


def test_unknown_picklist_value_only_warns(tmp_path: Path) -> None:
    data = {"accounts": rows("crm", "accounts", 5, Type=["Partner"])}
    write(tmp_path / "lake", "crm", NIGHT, data)
    o = run(tmp_path, "crm")["accounts"]
    assert o.success and not o.blocking_failures
    [warning] = o.warnings
    assert "crm.accounts Type: value not in the contract's list: 1 of 5 rows" in warning
    assert "'Partner'" in warning
    assert "OK (0 blocking, 1 warning(s))" in o.summary()


def test_closed_opportunity_stage_warns(tmp_path: Path) -> None:
    data = {
        "opportunities": rows(
            "crm",
            "opportunities",
            4,
            IsClosed=[True, True],
            StageName=["Negotiation", "Closed Lost"],
        )
    }
    write(tmp_path / "lake", "crm", NIGHT, data)
    o = run(tmp_path, "crm")["opportunities"]
    assert o.success
    [warning] = o.warnings
    assert "StageName where IsClosed" in warning and "1 of 2 rows" in warning
    assert "'Negotiation'" in warning


def test_conflicting_versions_warn_identical_duplicates_do_not(tmp_path: Path) -> None:
    base = rows("crm", "users", 3)
    data = {"users": base + [dict(base[0]), {**base[1], "Title": "CFO"}]}
    write(tmp_path / "lake", "crm", NIGHT, data)
    o = run(tmp_path, "crm")["users"]
    assert o.success
    [warning] = o.warnings
    assert "Id with conflicting versions" in warning and "2 of 5 rows" in warning
    assert "'Id-1' (line 3), 'Id-1' (line 6)" in warning and "'Id-0'" not in warning


def test_reference_to_undelivered_record_warns(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    before = NIGHT - timedelta(days=1)
    write(lake, "support", before, clean("support", night=before))
    data = clean("support", n=0)
    data["tickets"] = rows("support", "tickets", 5, organization_id=[4, None, 999])
    write(lake, "support", NIGHT, data)
    o = run(tmp_path, "support")["tickets"]
    assert o.success
    [warning] = o.warnings
    # org 4 came in the earlier delivery; rows without an organization are not counted
    assert "organization_id not among delivered organizations" in warning
    assert "1 of 4 rows" in warning and "999 (line 4)" in warning


def test_row_count_drift_warns_after_history(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    first = NIGHT - timedelta(days=4)
    sizes = [300, 20, 15, 20, 101]  # a full load, three usual nights, then a jump
    for k, n in enumerate(sizes):
        night = first + timedelta(days=k)
        write(lake, "surveys", night, {"responses": rows("surveys", "responses", n, night)})
        o = run(tmp_path, "surveys", night)["responses"]
        if k < len(sizes) - 1:
            assert o.success and not o.warnings, o.summary()
    assert o.success
    [warning] = o.warnings
    # median of the nights after the first: 20, so up to 5 × 20 rows pass
    assert warning == "surveys.responses: row-count drift: 101 rows where 1 to 100 are usual"


def test_usually_non_empty_object_arriving_empty_warns(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for k, n in enumerate([60, 4, 2, 0, 0]):
        night = NIGHT + timedelta(days=k)
        write(lake, "surveys", night, {"responses": rows("surveys", "responses", n, night)})
    nights = [run(tmp_path, "surveys", NIGHT + timedelta(days=k))["responses"] for k in range(5)]
    assert [len(o.warnings) for o in nights] == [0, 0, 0, 1, 0]  # 4 and 2 rows, then none
    assert "row-count drift: 0 rows where 1 to 50 are usual" in nights[3].warnings[0]
    # a quiet night is no drift once a night was empty; a few rows more than usual neither
    write(
        lake, "surveys", NIGHT + timedelta(days=5), {"responses": rows("surveys", "responses", 40)}
    )
    assert not run(tmp_path, "surveys", NIGHT + timedelta(days=5))["responses"].warnings


def test_missing_or_mistyped_column_blocks(tmp_path: Path) -> None:
    data = {"responses": rows("surveys", "responses", 3)}
    schema = {"Q_NPS": pl.Utf8()}
    write(tmp_path / "lake", "surveys", NIGHT, data, schema=schema, drop=("Q_CSAT",))
    o = run(tmp_path, "surveys")["responses"]
    assert not o.success
    text = "\n".join(o.blocking_failures)
    assert "contract columns present: missing Q_CSAT" in text
    assert "Q_NPS: type int: observed large_string[pyarrow]" in text


def test_missing_partition_warns_and_unknown_night_raises(tmp_path: Path) -> None:
    data = clean("support")
    del data["ticket_metrics"]
    write(tmp_path / "lake", "support", NIGHT, data)
    o = run(tmp_path, "support")["ticket_metrics"]
    assert o.success and o.result_path is None and "no raw partition" in o.warnings[0]
    # the index links the suite of every object, delivered tonight or not
    docs = tmp_path / "quality" / "data_docs"
    links = re.findall(r'href="([^"]+)"', (docs / "index.html").read_text())
    assert "expectations/support/ticket_metrics.html" in links
    assert all((docs / urllib.parse.unquote(link)).is_file() for link in links)
    with pytest.raises(FileNotFoundError):
        run(tmp_path, "support", NIGHT + timedelta(days=1))


def test_suites_are_derived_from_the_contract() -> None:
    for obj in objects_of("crm") + objects_of("support") + objects_of("surveys"):
        suite = build_suite(obj)
        assert suite.name == obj.qualified
        by_type: dict[str, list] = {}
        for e in suite.expectations:
            by_type.setdefault(e.expectation_type, []).append(e)
            assert e.severity in (BLOCKING, WARNING) and e.meta["check"] and e.notes
        not_null = {e.column for e in by_type["expect_column_values_to_not_be_null"]}
        assert not_null == {c.raw for c in obj.columns if c.required}
        ranged = {e.column for e in by_type.get("expect_column_values_to_be_between", [])}
        assert ranged == {c.raw for c in obj.columns if c.low is not None or c.high is not None}
        in_set = by_type.get("expect_column_values_to_be_in_set", [])
        assert {e.column for e in in_set} == {c.raw for c in obj.columns if c.values}
        assert all(e.severity == WARNING and e.mostly < 1 for e in in_set)


def test_a_large_partition_is_validated_on_a_sample(tmp_path: Path, monkeypatch) -> None:
    from rapport.quality import prepare

    monkeypatch.setattr(prepare, "MAX_VALIDATED_ROWS", 4)
    nps = [5, 6, 7, 11, 8, 9, 10, 3, 2, 1]  # every third row is validated: 5, 11, 10, 1
    write(
        tmp_path / "lake",
        "surveys",
        NIGHT,
        {"responses": rows("surveys", "responses", 10, Q_NPS=nps)},
    )
    o = run(tmp_path, "surveys")["responses"]
    assert (o.rows, o.validated_rows) == (10, 4)
    assert "(a sample of 4 validated)" in o.summary()
    [message] = o.blocking_failures
    assert "Q_NPS: range 0–10: 1 of 4 rows" in message and "11 (line 5)" in message
