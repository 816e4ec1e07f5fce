"""`rapport.ingest.readers`: CSV, Qualtrics and JSONL files read as strings, fast and slow paths."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from rapport.ingest import (
    ingest_object,
    readers,
)
from tests.unit.ingest.delivery_files import (
    ACCOUNT_COLUMNS,
    ACCOUNTS,
    GOOD_ACCOUNT,
    METRICS,
    RESPONSES,
    TICKETS,
    D,
    account,
    accounts_csv,
    assert_counts,
    csv_line,
    deliver,
    faults,
    jsonl,
    qualtrics_csv,
    quarantine,
    raw,
    response,
    ticket,
)


def test_ragged_rows_are_quarantined_with_their_lines(landing: Path, lake: Path) -> None:
    good = csv_line([GOOD_ACCOUNT[c] for c in ACCOUNT_COLUMNS])
    text = "\r\n".join(
        [
            ",".join(ACCOUNT_COLUMNS),
            good.replace("001A", "001A", 1),
            good.replace("Acme", '"Acme,\r\nInc."', 1).replace("001A", "001B", 1),  # lines 3-4
            good.replace("001A", "001C", 1) + ",extra,more",  # 15 fields
            good.replace("001A", "001D", 1).rsplit(",", 1)[0],  # 12 fields
            "",  # a blank line is skipped
            good.replace("001A", "001E", 1),
        ]
    )
    deliver(landing, "crm", {"accounts.csv": text + "\r\n"})

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert_counts(load, 5, 3)
    df = raw(lake, ACCOUNTS)
    assert df["Id"].to_list() == ["001A", "001B", "001E"]
    assert df["_line"].to_list() == [2, 3, 8]
    assert df["Name"][1] == "Acme,\r\nInc."
    assert faults(lake, ACCOUNTS) == [
        (5, None, "row has 15 fields, header has 13"),
        (6, None, "row has 12 fields, header has 13"),
    ]
    assert quarantine(lake, ACCOUNTS)["record"][0].endswith(",false,extra,more")


def test_newlines_and_commas_inside_typed_values_keep_lines_right(
    landing: Path, lake: Path
) -> None:
    rows = [
        account(Id="001A", NumberOfEmployees="1,200"),
        account(Id="001B", CreatedDate="2026-11-01\r\n14:03:07"),
        account(Id="001C", Type="Former\nCustomer"),
        account(Id="001D"),
    ]
    deliver(landing, "crm", {"accounts.csv": accounts_csv(*rows)})
    load = ingest_object(landing, lake, ACCOUNTS, D)
    # a newline is allowed only inside free-text values: these records are refused line
    # by line (the physical lines reconcile with the rows read), never merged
    assert_counts(load, 6, 1)
    assert raw(lake, ACCOUNTS)["_line"].to_list() == [7]
    assert [(line, column) for line, column, _ in faults(lake, ACCOUNTS)] == [
        (2, "NumberOfEmployees"),
        (3, None),
        (4, None),
        (5, None),
        (6, None),
    ]


def test_a_short_row_is_caught_even_when_quoted_commas_balance_it(
    landing: Path, lake: Path
) -> None:
    short = csv_line([GOOD_ACCOUNT[c] for c in ACCOUNT_COLUMNS[:-1]]).replace("001A", "001B")
    text = accounts_csv(account(Name="A, B")) + short + "\r\n"
    deliver(landing, "crm", {"accounts.csv": text})
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert_counts(load, 2, 1)
    assert faults(lake, ACCOUNTS) == [(3, None, "row has 12 fields, header has 13")]


@pytest.fixture
def no_slow_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a well-formed file must not need the slow path")

    monkeypatch.setattr(readers, "csv_repaired", refuse)
    monkeypatch.setattr(readers, "jsonl_checked", refuse)


@pytest.mark.usefixtures("no_slow_path")
def test_newlines_and_empty_last_values_after_the_sample_keep_the_fast_path(
    landing: Path, lake: Path
) -> None:
    rows = [account(Id=f"001{i:05d}", Name="A, B") for i in range(2500)]
    rows[2200] = account(Id="001LATE", Name="late\r\nnewline", IsDeleted="")
    deliver(landing, "crm", {"accounts.csv": accounts_csv(*rows)})

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert_counts(load, 2500, 2500)
    df = raw(lake, ACCOUNTS)
    assert df["_line"][2199:2202].to_list() == [2201, 2202, 2204]
    assert df.filter(pl.col("Id") == "001LATE")["IsDeleted"].to_list() == [None]


@pytest.mark.usefixtures("no_slow_path")
def test_well_formed_files_of_every_format_keep_the_fast_path(landing: Path, lake: Path) -> None:
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account(Name='x\ny, "z"'))})
    deliver(landing, "surveys", {"responses.csv": qualtrics_csv(response(Q_COMMENT="a,\nb"))})
    lines = "\ufeff" + json.dumps(ticket(id=1)) + "\n\nnull\n" + json.dumps(ticket(id=4))
    deliver(landing, "support", {"tickets.jsonl": lines})
    assert ingest_object(landing, lake, ACCOUNTS, D).rows_loaded == 1
    assert ingest_object(landing, lake, RESPONSES, D).rows_loaded == 1

    load = ingest_object(landing, lake, TICKETS, D)

    assert_counts(load, 3, 2)
    assert raw(lake, TICKETS)["_line"].to_list() == [1, 4]
    assert faults(lake, TICKETS) == [(3, None, "line is not a JSON object: it is null")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "file is empty: it has no header row"),
        (accounts_csv(account(), columns=[*ACCOUNT_COLUMNS, "Id"]), "column Id appears 2 times"),
        (accounts_csv(columns=ACCOUNT_COLUMNS[2:]), "required columns Id, Name are missing"),
    ],
)
def test_bad_headers_reject_the_file(landing: Path, lake: Path, text: str, reason: str) -> None:
    deliver(landing, "crm", {"accounts.csv": text})
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert load.rejected is not None and load.rejected.startswith(reason)
    assert not (lake / "raw" / "crm").exists()


def test_header_names_match_the_contract_in_any_case(landing: Path, lake: Path) -> None:
    """A warehouse loader lower-cases Salesforce's names (`arr__c`); written twice in two
    cases, a name is still written twice."""
    header, rows = accounts_csv(account()).split("\r\n", 1)
    deliver(landing, "crm", {"accounts.csv": header.lower() + "\r\n" + rows})
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert_counts(load, 1, 1)
    assert raw(lake, ACCOUNTS).select("Id", "ARR__c").row(0) == ("001A", 50000.0)

    twice = accounts_csv(account(), columns=[*ACCOUNT_COLUMNS, "ID"])
    deliver(landing, "crm", {"accounts.csv": twice})
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert load.rejected == "column Id appears 2 times in the header"


def test_non_utf8_file_is_rejected_with_the_offset(landing: Path, lake: Path) -> None:
    columns = [*ACCOUNT_COLUMNS, "Notes"]
    text = accounts_csv(account(Notes="ok"), account(Id="001B", Notes="caf\u00e9"), columns=columns)
    data = text.encode("utf-8").replace("café".encode(), b"caf\xe9")  # latin-1 in an extra column
    deliver(landing, "crm", {"accounts.csv": data})

    load = ingest_object(landing, lake, ACCOUNTS, D)

    offset = data.index(b"\xe9")
    assert load.rejected == f"file is not UTF-8 (byte 0xe9 at offset {offset})"
    assert_counts(load, 2, 0)
    assert not (lake / "raw" / "crm" / "accounts").exists()
    assert faults(lake, ACCOUNTS) == [(None, None, load.rejected)]


def test_non_utf8_jsonl_is_rejected(landing: Path, lake: Path) -> None:
    data = jsonl(ticket()).encode() + b'{"id": 2, "subject": "\xff"}\n'
    deliver(landing, "support", {"tickets.jsonl": data})
    load = ingest_object(landing, lake, TICKETS, D)
    offset = data.index(b"\xff")
    assert load.rejected == f"file is not UTF-8 (byte 0xff at offset {offset})"
    assert_counts(load, 2, 0)
    assert not (lake / "raw" / "support" / "tickets").exists()


def test_qualtrics_three_headers_and_faults(landing: Path, lake: Path) -> None:
    rows = [
        response(ResponseId="R_1", Q_COMMENT='Great, but "pricey"\r\nand slow'),  # lines 5-6
        response(ResponseId="R_2", Q_NPS="11"),
        response(ResponseId="R_3", Q_NPS="ten"),
        response(ResponseId="R_4", Q_CSAT="0"),
        response(ResponseId="R_5", Progress="150"),
        response(
            ResponseId="R_6",
            Finished="0",
            Progress="40",
            Q_NPS="",
            RecordedDate="2026-11-01T10:05:01",
        ),
        response(ResponseId="R_7", Finished="false", Progress="40", Q_NPS=""),
    ]
    deliver(landing, "surveys", {"responses.csv": qualtrics_csv(*rows, question_newline=True)})

    load = ingest_object(landing, lake, RESPONSES, D)

    assert_counts(load, 7, 2)
    df = raw(lake, RESPONSES)
    assert df["ResponseId"].to_list() == ["R_1", "R_7"]
    assert df["_line"].to_list() == [5, 12]  # the question text spans two lines
    assert df["Duration_in_seconds"].to_list() == [300, 300]
    assert df["Finished"].to_list() == [True, False]
    assert df["RecordedDate"][0] == datetime(2026, 11, 1, 10, 5, 1)
    assert df["Q_COMMENT"][0] == 'Great, but "pricey"\r\nand slow'
    assert "Q_NPS_NPS_GROUP" not in df.columns
    assert faults(lake, RESPONSES) == [
        (7, "Q_NPS", "Q_NPS: '11' is above the maximum 10"),
        (8, "Q_NPS", "Q_NPS: 'ten' is not a number or one of not at all likely, extremely likely"),
        (9, "Q_CSAT", "Q_CSAT: '0' is below the minimum 1"),
        (10, "Progress", "Progress: '150' is above the maximum 100"),
        (
            11,
            "RecordedDate",
            "RecordedDate: '2026-11-01T10:05:01' is not a datetime like 2026-11-22 14:03:07",
        ),
    ]


def test_qualtrics_export_without_its_import_id_row_is_rejected(landing: Path, lake: Path) -> None:
    text = qualtrics_csv(response()).split("\r\n")
    del text[2]  # no ImportId row: the first response would be taken for it
    deliver(landing, "surveys", {"responses.csv": "\r\n".join(text)})
    load = ingest_object(landing, lake, RESPONSES, D)
    assert load.rejected is not None and "ImportId" in load.rejected
    assert not (lake / "raw" / "surveys").exists()


def test_qualtrics_import_id_row_nested_past_any_limit_is_rejected(
    landing: Path, lake: Path
) -> None:
    """Found by `make fuzz`: `[[[…` deeper than Python's recursion limit in the third header
    row raised RecursionError out of the ingest instead of refusing the file."""
    text = qualtrics_csv(response()).split("\r\n")
    text[2] = "[" * 5000 + "]" * 5000
    deliver(landing, "surveys", {"responses.csv": "\r\n".join(text)})
    load = ingest_object(landing, lake, RESPONSES, D)
    assert load.rejected is not None and "ImportId" in load.rejected
    assert not (lake / "raw" / "surveys").exists()


def test_jsonl_nesting_nulls_and_blank_lines(landing: Path, lake: Path) -> None:
    lines = [
        json.dumps(ticket(id=1)),
        "",
        json.dumps(ticket(id=2, satisfaction_rating=None, organization_id=None, tags=[])),
        "   ",
        json.dumps({k: v for k, v in ticket(id=3).items() if k not in ("via", "tags")}),
    ]
    deliver(landing, "support", {"tickets.jsonl": "\n".join(lines) + "\n"})

    load = ingest_object(landing, lake, TICKETS, D)

    assert_counts(load, 3, 3)
    df = raw(lake, TICKETS)
    assert df["id"].to_list() == [1, 2, 3]
    assert df["_line"].to_list() == [1, 3, 5]
    assert df["satisfaction_rating_score"].to_list() == ["good", None, "good"]
    assert df["satisfaction_rating_comment"].to_list() == ["quick", None, "quick"]
    assert df["via_channel"].to_list() == ["email", "email", None]
    assert df["tags"].to_list() == [["export", "bug"], [], None]
    assert df["organization_id"].to_list() == [701, None, 701]
    assert df["updated_at"][0] == datetime(2026, 11, 1, 10, 0, 0)
    metrics = {
        "id": 9,
        "ticket_id": 1,
        "created_at": "2026-11-01T09:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
        "reopens": 0,
        "replies": 2,
        "reply_time_in_minutes": {"calendar": 30, "business": 12},
        "full_resolution_time_in_minutes": None,
        "solved_at": None,
    }
    deliver(landing, "support", {"ticket_metrics.jsonl": jsonl(metrics)})
    ingest_object(landing, lake, METRICS, D)
    m = raw(lake, METRICS).row(0, named=True)
    assert (m["reply_time_in_minutes_calendar"], m["reply_time_in_minutes_business"]) == (30, 12)
    assert m["full_resolution_time_in_minutes_calendar"] is None


def test_empty_jsonl_loads_zero_rows(landing: Path, lake: Path) -> None:
    deliver(landing, "support", {"tickets.jsonl": b""})
    load = ingest_object(landing, lake, TICKETS, D)
    assert load.ok
    assert_counts(load, 0, 0)
    assert raw(lake, TICKETS).schema["tags"] == pl.List(pl.String)


def test_fast_and_slow_paths_type_the_same_rows_alike(landing: Path, lake: Path) -> None:
    records = [ticket(id=i, tags=["a"] if i % 2 else []) for i in range(1, 6)]
    deliver(landing, "support", {"tickets.jsonl": jsonl(*records)})
    ingest_object(landing, lake, TICKETS, D)
    fast = raw(lake, TICKETS)
    deliver(landing, "support", {"tickets.jsonl": jsonl(*records) + "not json\n"})
    ingest_object(landing, lake, TICKETS, D)
    assert raw(lake, TICKETS).equals(fast)
