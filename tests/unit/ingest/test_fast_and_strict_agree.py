"""A row's fate never depends on the other lines of its file.

The ingest reads a file with polars (fast) and falls back to a strict reader in Python
only when the file's bytes disagree with what polars read. Each case here was found by a
hostile-input probe: polars read the row one way (quotes dropped, a number rounded), the
strict reader another, and which one ran depended on an unrelated broken line. Every test
delivers the file twice, as it is and with a broken line added, and expects the same
verdict for the shared lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from rapport.contract import SourceObject
from rapport.ingest import ingest_object
from rapport.ingest.results import ObjectLoad
from tests.unit.ingest.hostile_files import (
    ACCOUNTS,
    ACCOUNTS_HEADER,
    ORGS,
    RESPONSES,
    TICKETS,
    D,
    account_line,
    deliver,
    faults,
    org_line,
    raw_rows,
    response_row,
    responses,
)

RAGGED_ACCOUNT = "A99,too,few\n"  # the strict CSV reader runs when a row is ragged
BROKEN_JSON = '{"id": 99, "name": "broken"\n'  # and the strict JSON reader on a broken line


def _ingest(tmp_path: Path, name: str, obj: SourceObject, data: bytes) -> tuple[ObjectLoad, Path]:
    landing, lake = tmp_path / name / "landing", tmp_path / name / "lake"
    deliver(landing, obj, data)
    load = ingest_object(landing, lake, obj, D)
    assert load.rows_read == load.rows_loaded + load.rows_quarantined
    return load, lake


def both_ways(tmp_path: Path, obj: SourceObject, text: str, broken: str) -> list[Path]:
    """The lakes of the file loaded alone and of the same file with a broken line added at
    its end (rows read = loaded + quarantined in both)."""
    return [
        _ingest(tmp_path, "alone", obj, text.encode("utf-8"))[1],
        _ingest(tmp_path, "beside-a-broken-line", obj, (text + broken).encode("utf-8"))[1],
    ]


def _faults_of(lake: Path, obj: SourceObject, keep: Callable[[int], bool]) -> list[tuple]:
    try:
        return [f for f in faults(lake, obj) if keep(f[0])]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize(
    "name",
    ['"The "Big" Deal"', '"5" Screen "Co"', '"Acme \\"Big\\" Inc"'],
    ids=["inner-quotes", "quoted-then-text", "backslash-escaped"],
)
def test_a_quote_inside_a_quoted_value_is_refused_never_dropped(tmp_path: Path, name: str) -> None:
    lines = [account_line(1), account_line(2).replace("Acme 2", name), account_line(3)]
    text = ACCOUNTS_HEADER + "".join(lines)

    for lake in both_ways(tmp_path, ACCOUNTS, text, RAGGED_ACCOUNT):
        assert raw_rows(lake, ACCOUNTS)["Id"].to_list() == ["A1", "A3"]
        [(line, column, reason)] = _faults_of(lake, ACCOUNTS, lambda line: line < 5)
        assert (line, column) == (3, None) and "quote" in reason


def test_doubled_quotes_inside_a_quoted_value_load_as_one_quote(tmp_path: Path) -> None:
    lines = [account_line(1).replace("Acme 1", '"The ""Big"" Deal"'), account_line(2)]
    text = ACCOUNTS_HEADER + "".join(lines)

    for lake in both_ways(tmp_path, ACCOUNTS, text, RAGGED_ACCOUNT):
        assert raw_rows(lake, ACCOUNTS)["Name"].to_list() == ['The "Big" Deal', "Acme 2"]


def test_a_value_longer_than_pythons_csv_limit_loads(tmp_path: Path) -> None:
    long_name = "x" * 200_000  # Python's csv module stops at 128 KiB by default
    lines = [account_line(1, name=long_name), account_line(2)]
    text = ACCOUNTS_HEADER + "".join(lines)

    for lake in both_ways(tmp_path, ACCOUNTS, text, RAGGED_ACCOUNT):
        names = raw_rows(lake, ACCOUNTS)["Name"].to_list()
        assert names == [f"{long_name} 1", "Acme 2"]


@pytest.mark.parametrize(
    ("written", "loaded"),
    [("9007199254740993", 9007199254740993), ("12345678901234567.0", 12345678901234567)],
    ids=["past-2**53", "whole-float"],
)
def test_a_large_json_id_keeps_every_digit(tmp_path: Path, written: str, loaded: int) -> None:
    line = org_line(1).replace('"id": 1', f'"id": {written}')
    text = line + "\n" + org_line(2) + "\n"

    for lake in both_ways(tmp_path, ORGS, text, BROKEN_JSON):
        assert raw_rows(lake, ORGS)["id"].to_list() == [loaded, 2]


@pytest.mark.parametrize("written", ["1e3", "1E3", "10e-1"])
def test_an_integer_written_with_an_exponent_is_refused(tmp_path: Path, written: str) -> None:
    line = org_line(1).replace('"id": 1', f'"id": {written}')
    text = line + "\n" + org_line(2) + "\n"

    for lake in both_ways(tmp_path, ORGS, text, BROKEN_JSON):
        assert raw_rows(lake, ORGS)["id"].to_list() == [2]
        [(line_no, column, reason)] = _faults_of(lake, ORGS, lambda n: n == 1)
        assert column == "id" and f"'{written}' is not an integer" in reason


def test_a_contract_key_written_with_escapes_counts_as_written_twice(tmp_path: Path) -> None:
    ticket = {"id": 7, "updated_at": "2026-09-01T09:00:00Z", "status": "open"}
    disguised = json.dumps(ticket)[:-1] + ', "\\u0069d": 777}'  # "\u0069d" is "id"
    other = json.dumps({**ticket, "id": 8})
    text = disguised + "\n" + other + "\n"

    for lake in both_ways(tmp_path, TICKETS, text, BROKEN_JSON):
        assert raw_rows(lake, TICKETS)["id"].to_list() == [8]
        assert _faults_of(lake, TICKETS, lambda n: n == 1) == [
            (1, "id", "id: the key appears twice with different values")
        ]


def test_a_huge_integer_in_a_field_the_contract_ignores_loads(tmp_path: Path) -> None:
    huge = org_line(1)[:-1] + ', "ignored": ' + "9" * 5000 + "}"  # past Python's 4300 digits
    text = huge + "\n" + org_line(2) + "\n"

    for lake in both_ways(tmp_path, ORGS, text, BROKEN_JSON):
        assert raw_rows(lake, ORGS)["id"].to_list() == [1, 2]


def test_a_line_of_control_characters_is_a_line_not_a_blank(tmp_path: Path) -> None:
    text = org_line(1) + "\n\x1c\x1d\x1e\x1f\n" + org_line(3) + "\n"

    for lake in both_ways(tmp_path, ORGS, text, BROKEN_JSON):
        assert raw_rows(lake, ORGS)["id"].to_list() == [1, 3]
        [(line, column, reason)] = _faults_of(lake, ORGS, lambda n: n == 2)
        assert line == 2 and "not valid JSON" in reason


@pytest.mark.parametrize(
    ("nps", "loaded"),
    [("7", 7), ("7.0", 7), ("10 - Extremely likely", 10), ("7. Likely", 7), ("7.5", None)],
)
def test_a_survey_answer_is_a_whole_choice_or_refused(
    tmp_path: Path, nps: str, loaded: int | None
) -> None:
    load, lake = _ingest(tmp_path, "nps", RESPONSES, responses(response_row("R_1", nps=nps)))

    if loaded is None:  # 7.5 was cut to 7 without a word
        assert load.rows_quarantined == 1
        [(_, column, reason)] = faults(lake, RESPONSES)
        assert column == "Q_NPS" and "'7.5'" in reason
    else:
        assert raw_rows(lake, RESPONSES)["Q_NPS"].to_list() == [loaded]


def test_a_file_with_classic_mac_line_endings_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    text = (ACCOUNTS_HEADER + account_line(1)).replace("\n", "\r")

    load, _ = _ingest(tmp_path, "cr", ACCOUNTS, text.encode("utf-8"))

    assert load.rejected is not None and "lone CR" in load.rejected
    assert "line 1" in load.rejected
