"""Hostile rows: every physical line is read, loaded or quarantined with its line and reason;
nothing crashes the reader and nothing insane loads (issue 11, classes 2, 3 and 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rapport.ingest import ingest_object
from tests.unit.ingest.hostile_files import (
    ACCOUNTS,
    ACCOUNTS_HEADER,
    ORGS,
    RESPONSES,
    TICKETS,
    D,
    account_line,
    accounts,
    deliver,
    faults,
    org_line,
    raw_rows,
    response_row,
    responses,
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


def counts(load) -> tuple[int, int, int]:
    assert load.rows_read == load.rows_loaded + load.rows_quarantined
    return load.rows_read, load.rows_loaded, load.rows_quarantined


# --- class 2: physical lines reconcile with records ------------------------------------


def test_a_stray_quote_quarantines_its_line_and_never_swallows_the_records_after_it(
    landing: Path, lake: Path
) -> None:
    lines = [account_line(i) for i in range(1, 9)]
    lines[1] = lines[1].replace("Acme 2", '"Acme 2')  # opens a quote, never closes it
    deliver(landing, ACCOUNTS, accounts(*lines))

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert counts(load) == (8, 7, 1)
    assert faults(lake, ACCOUNTS) == [(3, None, "a quote opened on this line is never closed")]
    assert raw_rows(lake, ACCOUNTS)["Id"].to_list() == ["A1", *(f"A{i}" for i in range(3, 9))]


def test_a_stray_quote_closed_lines_later_in_a_free_text_field_does_not_merge_records(
    landing: Path, lake: Path
) -> None:
    lines = [account_line(i) for i in range(1, 6)]
    lines[0] = lines[0].replace("Acme 1", '"Acme 1')
    lines[3] = lines[3].replace("Acme 4", 'Acme 4"')  # the quote "closes" three lines on
    deliver(landing, ACCOUNTS, accounts(*lines))

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert load.rows_read == 5
    assert faults(lake, ACCOUNTS)[0][:2] == (2, None)
    assert {"A2", "A3", "A5"} <= set(raw_rows(lake, ACCOUNTS)["Id"].to_list())


def test_a_quote_closed_mid_field_is_quarantined_not_shifted(landing: Path, lake: Path) -> None:
    bad = account_line(2).replace("Acme 2", '"Acme" 2,extra')
    deliver(landing, ACCOUNTS, accounts(account_line(1), bad, account_line(3)))

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert counts(load) == (3, 2, 1)
    assert faults(lake, ACCOUNTS) == [(3, None, "a quote closes in the middle of a field")]


def test_a_quoted_newline_in_free_text_is_one_record(landing: Path, lake: Path) -> None:
    good = account_line(2).replace("Acme 2", '"Acme, the\nsecond"')
    deliver(landing, ACCOUNTS, accounts(account_line(1), good, account_line(3)))

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert counts(load) == (3, 3, 0)
    assert raw_rows(lake, ACCOUNTS)["_line"].to_list() == [2, 3, 5]


# --- class 3: what used to crash the parser --------------------------------------------


def test_a_blank_line_after_the_csv_header_is_skipped(landing: Path, lake: Path) -> None:
    deliver(landing, ACCOUNTS, accounts("\n", account_line(1), account_line(2)))

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert counts(load) == (2, 2, 0)
    assert raw_rows(lake, ACCOUNTS)["_line"].to_list() == [3, 4]


def test_a_blank_line_after_the_qualtrics_headers_is_skipped(landing: Path, lake: Path) -> None:
    data = responses(response_row("R1"), response_row("R2", nps="11"), blank_after_header=True)
    deliver(landing, RESPONSES, data)

    load = ingest_object(landing, lake, RESPONSES, D)

    assert counts(load) == (2, 1, 1)
    assert faults(lake, RESPONSES) == [(6, "Q_NPS", "Q_NPS: '11' is above the maximum 10")]


@pytest.mark.parametrize(
    ("bad_line", "column", "reason"),
    [
        (org_line(2).replace('"Org 2"', '"\\ud800 x"'), "name", "a string holds a lone UTF-16"),
        ('{"id": 2, "junk": ' + "[" * 100_000 + "]" * 100_000 + "}", None, "nests arrays"),
        (org_line(2, junk=0).replace("0}", "1e400}"), None, None),
        ('{"id": 1e400, "updated_at": "2026-09-01T09:00:00Z"}', "id", "'1e400' is not an int"),
        ('{"id": 2, "name": NaN, "updated_at": "2026-09-01T09:00:00Z"}', None, "not valid JSON"),
    ],
    ids=["lone-surrogate", "deep-nesting", "1e400-unknown-field", "1e400-key", "nan"],
)
def test_json_lines_that_crashed_the_parser_are_quarantined_or_loaded(
    landing: Path, lake: Path, bad_line: str, column: str | None, reason: str | None
) -> None:
    text = "\n".join([org_line(1), bad_line, org_line(3)]) + "\n"
    deliver(landing, ORGS, text.encode("utf-8"))

    load = ingest_object(landing, lake, ORGS, D)

    assert load.ok and load.rows_read == 3
    if reason is None:  # an absurd number in a field the contract ignores: the row loads
        assert counts(load) == (3, 3, 0)
        return
    assert counts(load) == (3, 2, 1)
    [(line, col, text_)] = faults(lake, ORGS)
    assert (line, col) == (2, column) and reason in text_
    assert raw_rows(lake, ORGS)["id"].to_list() == [1, 3]


def test_a_valid_surrogate_pair_loads(landing: Path, lake: Path) -> None:
    text = org_line(1, name="smile \U0001f600") + "\n"
    deliver(landing, ORGS, json.dumps(json.loads(text)).encode() + b"\n")  # \ud83d\ude00

    load = ingest_object(landing, lake, ORGS, D)

    assert counts(load) == (1, 1, 0)
    assert raw_rows(lake, ORGS)["name"].to_list() == ["smile \U0001f600"]


# --- class 4: insane values are row faults ----------------------------------------------


def test_non_finite_and_huge_numbers_and_dates_outside_the_contract_are_row_faults(
    landing: Path, lake: Path
) -> None:
    lines = [
        account_line(1, arr="1.7e308"),
        account_line(2, end="0000-01-01"),
        account_line(3, arr="inf"),
        account_line(4, arr="NaN"),
        account_line(5, end="9999-12-31"),
        account_line(6),
    ]
    deliver(landing, ACCOUNTS, accounts(*lines))

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert counts(load) == (6, 1, 5)
    got = faults(lake, ACCOUNTS)
    assert [(line, col) for line, col, _ in got] == [
        (2, "ARR__c"),
        (3, "Contract_End_Date__c"),
        (4, "ARR__c"),
        (5, "ARR__c"),
        (6, "Contract_End_Date__c"),
    ]
    assert "beyond the sane magnitude 1e15" in got[0][2]
    assert "outside the contract's dates 1900-01-01 .. 2199-12-31" in got[1][2]
    assert "is not a finite number" in got[2][2]


def test_a_key_written_twice_with_different_values_is_a_row_fault(
    landing: Path, lake: Path
) -> None:
    ticket = {"id": 7, "updated_at": "2026-09-01T09:00:00Z", "status": "open"}
    same = json.dumps(ticket)[:-1] + ', "id": 7, "custom_fields": [{"id": 1}]}'
    clash = json.dumps(ticket)[:-1] + ', "status": "closed"}'
    nested = json.dumps({**ticket, "id": 9})[:-1] + (
        ', "satisfaction_rating": {"score": "good"}, "satisfaction_rating": {"score": "bad"}}'
    )
    deliver(landing, TICKETS, "\n".join([same, clash, nested]).encode() + b"\n")

    load = ingest_object(landing, lake, TICKETS, D)

    assert counts(load) == (3, 1, 2)
    assert faults(lake, TICKETS) == [
        (2, "status", "status: the key appears twice with different values"),
        (
            3,
            "satisfaction_rating.score",
            "satisfaction_rating.score: the key appears twice with different values",
        ),
    ]


def test_header_only_lines_count_nothing(landing: Path, lake: Path) -> None:
    deliver(landing, ACCOUNTS, ACCOUNTS_HEADER.encode())
    assert counts(ingest_object(landing, lake, ACCOUNTS, D)) == (0, 0, 0)
