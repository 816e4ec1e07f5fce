"""Ingest: landing files by hand in tmp_path, read back from the raw zone and quarantine."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from rapport.contract import get_object, objects_of
from rapport.ingest import (
    IngestError,
    ObjectLoad,
    complete_deliveries,
    delivery_fingerprint,
    delivery_is_complete,
    ingest_delivery,
    ingest_object,
    loaded_deliveries,
    readers,
)
from rapport.ingest import landing as landing_module
from rapport.ingest import load as load_module

D = date(2026, 11, 1)
ACCOUNTS = get_object("crm", "accounts")
RESPONSES = get_object("surveys", "responses")
TICKETS = get_object("support", "tickets")
METRICS = get_object("support", "ticket_metrics")

ACCOUNT_COLUMNS = [c.name for c in ACCOUNTS.columns]
GOOD_ACCOUNT = {
    "Id": "001A",
    "Name": "Acme",
    "Type": "Customer",
    "Industry": "Software",
    "BillingCountry": "US",
    "NumberOfEmployees": "120",
    "AnnualRevenue": "1000000.50",
    "OwnerId": "005A",
    "ARR__c": "50000",
    "Contract_End_Date__c": "2027-03-31",
    "CreatedDate": "2025-01-02T03:04:05.000+0000",
    "LastModifiedDate": "2026-11-01T14:03:07.000+0000",
    "IsDeleted": "false",
}
QUALTRICS_IDS = [c.name for c in RESPONSES.columns]


# --- helpers ----------------------------------------------------------------------------


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


def deliver(landing: Path, source: str, files: dict[str, bytes | str], d: date = D) -> Path:
    folder = landing / source / f"dt={d.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    (folder / "_SUCCESS").touch()
    return folder


def csv_line(values: list[str]) -> str:
    out = []
    for v in values:
        out.append('"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\r\n') else v)
    return ",".join(out)


def accounts_csv(*rows: dict[str, str], columns: list[str] = ACCOUNT_COLUMNS) -> str:
    lines = [",".join(columns)] + [csv_line([r.get(c, "") for c in columns]) for r in rows]
    return "".join(line + "\r\n" for line in lines)


def account(**changes: str) -> dict[str, str]:
    return {**GOOD_ACCOUNT, **changes}


def raw(lake: Path, obj, d: date = D) -> pl.DataFrame:
    return pl.read_parquet(lake / "raw" / obj.source / obj.name / f"dt={d}" / "part-0.parquet")


def quarantine(lake: Path, obj, d: date = D) -> pl.DataFrame:
    path = lake / "quarantine" / obj.source / obj.name / f"dt={d}" / "part-0.parquet"
    return pl.read_parquet(path)


def faults(lake: Path, obj, d: date = D) -> list[tuple]:
    return quarantine(lake, obj, d).select("line", "column", "reason").rows()


def assert_counts(load: ObjectLoad, read: int, loaded: int) -> None:
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (
        read,
        loaded,
        read - loaded,
    )


def qualtrics_csv(*rows: dict[str, str], question_newline: bool = False) -> str:
    ids = [*QUALTRICS_IDS, "Q_NPS_NPS_GROUP"]
    texts = [f"Question {i}" for i in ids]
    if question_newline:
        texts[ids.index("Q_COMMENT")] = "Anything else?\nTell us"
    imports = [json.dumps({"ImportId": i}, separators=(",", ":")) for i in ids]
    lines = [csv_line(ids), csv_line(texts), csv_line(imports)]
    lines += [csv_line([r.get(c, "") for c in ids]) for r in rows]
    return "".join(line + "\r\n" for line in lines)


def response(**changes: str) -> dict[str, str]:
    good = {
        "StartDate": "2026-11-01 10:00:00",
        "EndDate": "2026-11-01 10:05:00",
        "Status": "IP Address",
        "Progress": "100",
        "Duration (in seconds)": "300",
        "Finished": "1",
        "RecordedDate": "2026-11-01 10:05:01",
        "ResponseId": "R_1",
        "RecipientEmail": "ann@acme.example",
        "ExternalReference": "003A",
        "DistributionChannel": "email",
        "UserLanguage": "EN",
        "Q_NPS": "9",
        "Q_CSAT": "4",
        "Q_ALTERNATIVES": "2",
        "Q_COMMENT": "",
        "account_id": "001A",
        "Q_NPS_NPS_GROUP": "Promoter",
    }
    return {**good, **changes}


def ticket(**changes) -> dict:
    good = {
        "id": 1,
        "created_at": "2026-11-01T09:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
        "type": "problem",
        "subject": "Export fails",
        "description": "It fails, every time.",
        "priority": "high",
        "status": "open",
        "requester_id": 501,
        "assignee_id": 601,
        "organization_id": 701,
        "tags": ["export", "bug"],
        "satisfaction_rating": {"score": "good", "comment": "quick"},
        "via": {"channel": "email"},
        "custom_fields": [{"id": 9, "value": None}],
    }
    return {**good, **changes}


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


# --- the CRM CSV dialect ----------------------------------------------------------------


def test_crm_quirks_load_with_right_types_and_lines(landing: Path, lake: Path) -> None:
    columns = ["Custom__c", *reversed(ACCOUNT_COLUMNS)]  # any order, plus an unknown column
    rows = [
        account(Id="001A", Name="Acme, Inc.", Custom__c="x"),
        account(Id="001B", Name='Two\r\nlines "quoted"', IsDeleted="TRUE"),  # CRLF inside
        account(
            Id="001C", Name="Three\nmore\nlines", LastModifiedDate="2026-11-01T14:03:07.250+0200"
        ),
        account(Id="001D", Industry="", NumberOfEmployees="", IsDeleted="False"),
    ]
    text = "\ufeff" + accounts_csv(*rows, columns=columns)
    deliver(landing, "crm", {"accounts.csv": text})

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert load.ok and load.rejected is None
    assert_counts(load, 4, 4)
    df = raw(lake, ACCOUNTS)
    assert df.columns == [c.raw for c in ACCOUNTS.columns] + [
        "_source",
        "_object",
        "_extract_date",
        "_file",
        "_line",
    ]
    assert df["_line"].to_list() == [2, 3, 5, 8]
    assert df["Name"].to_list() == [
        "Acme, Inc.",
        'Two\r\nlines "quoted"',
        "Three\nmore\nlines",
        "Acme",
    ]
    assert df["IsDeleted"].to_list() == [False, True, False, False]
    assert df["LastModifiedDate"][2] == datetime(2026, 11, 1, 12, 3, 7, 250000)  # +0200 → UTC
    assert df["Industry"][3] is None and df["NumberOfEmployees"][3] is None
    assert df.select("_source", "_object", "_extract_date", "_file").unique().rows() == [
        ("crm", "accounts", D, "crm/dt=2026-11-01/accounts.csv")
    ]
    assert quarantine(lake, ACCOUNTS).height == 0


def test_raw_types_as_duckdb_and_polars_read_them(landing: Path, lake: Path) -> None:
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account())})
    deliver(landing, "support", {"tickets.jsonl": jsonl(ticket())})
    ingest_object(landing, lake, ACCOUNTS, D)
    ingest_object(landing, lake, TICKETS, D)

    schema = raw(lake, ACCOUNTS).schema
    assert schema["Id"] == pl.String
    assert schema["NumberOfEmployees"] == pl.Int64
    assert schema["ARR__c"] == pl.Float64
    assert schema["Contract_End_Date__c"] == pl.Date
    assert schema["CreatedDate"] == pl.Datetime("us")
    assert schema["IsDeleted"] == pl.Boolean
    assert schema["_extract_date"] == pl.Date and schema["_line"] == pl.Int64
    assert raw(lake, TICKETS).schema["tags"] == pl.List(pl.String)

    con = duckdb.connect()  # as dbt-duckdb reads the raw zone
    parts = f"read_parquet('{lake}/raw/crm/accounts/*/*.parquet', hive_partitioning = true)"
    types = {row[0]: row[1] for row in con.execute(f"describe select * from {parts}").fetchall()}
    assert types["dt"] == "DATE" and types["_extract_date"] == "DATE"
    assert types["NumberOfEmployees"] == "BIGINT" and types["ARR__c"] == "DOUBLE"
    assert types["CreatedDate"] == "TIMESTAMP" and types["Contract_End_Date__c"] == "DATE"
    assert types["IsDeleted"] == "BOOLEAN" and types["Id"] == "VARCHAR"
    part = lake / "raw" / "support" / "tickets" / "dt=2026-11-01" / "part-0.parquet"
    rows = con.execute(f"select tags, via_channel from read_parquet('{part}')").fetchall()
    assert rows == [(["export", "bug"], "email")]


def test_header_only_csv_writes_a_typed_empty_partition(landing: Path, lake: Path) -> None:
    deliver(landing, "crm", {"accounts.csv": accounts_csv()})
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert load.ok
    assert_counts(load, 0, 0)
    df = raw(lake, ACCOUNTS)
    assert df.height == 0 and df.schema["CreatedDate"] == pl.Datetime("us")
    assert quarantine(lake, ACCOUNTS).schema == pl.Schema(
        {
            "source": pl.String,
            "object": pl.String,
            "extract_date": pl.Date,
            "file": pl.String,
            "line": pl.Int64,
            "column": pl.String,
            "reason": pl.String,
            "record": pl.String,
        }
    )


def test_crm_row_faults_go_to_quarantine_and_the_rest_loads(landing: Path, lake: Path) -> None:
    rows = [
        account(Id="001A"),
        account(Id="001B", Contract_End_Date__c="not-a-date"),
        account(Id="001C", CreatedDate="not-a-date"),
        account(Id="001D", ARR__c="-5"),
        account(Id="001E", Type="Partner"),
        account(Id="", Name="no id"),
        account(Id="001G", IsDeleted="maybe"),
        account(Id="001H", NumberOfEmployees="12.5", Name="Multi\nline"),
        account(Id="001I"),
    ]
    deliver(landing, "crm", {"accounts.csv": accounts_csv(*rows)})

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert_counts(load, 9, 2)
    assert raw(lake, ACCOUNTS)["Id"].to_list() == ["001A", "001I"]
    assert raw(lake, ACCOUNTS)["_line"].to_list() == [2, 11]
    assert faults(lake, ACCOUNTS) == [
        (
            3,
            "Contract_End_Date__c",
            "Contract_End_Date__c: 'not-a-date' is not a date like 2026-11-22",
        ),
        (
            4,
            "CreatedDate",
            "CreatedDate: 'not-a-date' is not a datetime like 2026-11-22T14:03:07.000+0000",
        ),
        (5, "ARR__c", "ARR__c: '-5' is below the minimum 0"),
        (6, "Type", "Type: 'Partner' is not one of Customer, Prospect, Former Customer"),
        (7, "Id", "Id is required"),
        (
            8,
            "IsDeleted",
            "IsDeleted: 'maybe' is not a boolean (true/t/yes/y/1 or false/f/no/n/0)",
        ),
        (9, "NumberOfEmployees", "NumberOfEmployees: '12.5' is not an integer"),
    ]
    q = quarantine(lake, ACCOUNTS)
    assert q["record"][0] == csv_line([rows[1].get(c, "") for c in ACCOUNT_COLUMNS])
    assert q["record"][6].startswith('001H,"Multi\nline",Customer')
    assert set(q["file"]) == {"crm/dt=2026-11-01/accounts.csv"}


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


def test_conflicting_versions_are_quarantined_exact_duplicates_kept(
    landing: Path, lake: Path
) -> None:
    rows = [
        account(Id="001A", Name="first"),
        account(Id="001A", Name="second"),  # same Id and stamp, other values
        account(Id="001B"),
        account(Id="001B"),  # an exact duplicate
        account(Id="001C", Name="old", LastModifiedDate="2026-11-01T09:00:00.000+0000"),
        account(Id="001C", Name="new"),  # another stamp: two versions
    ]
    deliver(landing, "crm", {"accounts.csv": accounts_csv(*rows)})

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert_counts(load, 6, 4)
    assert raw(lake, ACCOUNTS)["Id"].to_list() == ["001B", "001B", "001C", "001C"]
    reason = "conflicting versions of Id 001A with the same LastModifiedDate in one delivery"
    assert faults(lake, ACCOUNTS) == [(2, None, reason), (3, None, reason)]
    assert quarantine(lake, ACCOUNTS)["record"][1].startswith("001A,second,")


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


# --- whole-file rejections ---------------------------------------------------------------


def test_missing_column_rejects_the_file_and_keeps_an_earlier_good_load(
    landing: Path, lake: Path
) -> None:
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account(Id="001A"))})
    ingest_object(landing, lake, ACCOUNTS, D)
    columns = [c for c in ACCOUNT_COLUMNS if c != "ARR__c"]
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account(), account(), columns=columns)})

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert not load.ok
    assert load.rejected == "required column ARR__c is missing"
    assert_counts(load, 2, 0)
    assert "REJECTED" in load.summary()
    assert raw(lake, ACCOUNTS)["Id"].to_list() == ["001A"]  # the earlier load stays
    q = quarantine(lake, ACCOUNTS)
    assert q.select("line", "column", "reason", "record").rows() == [
        (None, None, "required column ARR__c is missing", None)
    ]


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


def test_unreadable_file_is_rejected(
    landing: Path, lake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account())})

    def denied(path: Path, obj: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(readers, "read_header", denied)
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert load.rejected is not None and load.rejected.startswith("file cannot be read: ")
    assert "Permission denied" in load.rejected


def test_missing_file_in_a_complete_delivery_is_rejected(landing: Path, lake: Path) -> None:
    deliver(landing, "crm", {})
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert load.rejected == "file is missing from a complete delivery"
    assert_counts(load, 0, 0)
    assert load.sha256 is None
    assert faults(lake, ACCOUNTS) == [(None, None, load.rejected)]


# --- Qualtrics ------------------------------------------------------------------------------


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


# --- JSON Lines -----------------------------------------------------------------------------


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


def test_nested_faults_name_the_field_by_its_path(landing: Path, lake: Path) -> None:
    metrics = {"id": 9, "ticket_id": 1, "updated_at": "2026-11-01T10:00:00Z"}
    bad = {**metrics, "reply_time_in_minutes": {"calendar": -5, "business": 1}}
    deliver(landing, "support", {"ticket_metrics.jsonl": jsonl(metrics, bad)})
    assert_counts(ingest_object(landing, lake, METRICS, D), 2, 1)
    assert faults(lake, METRICS) == [
        (
            2,
            "reply_time_in_minutes.calendar",
            "reply_time_in_minutes.calendar: '-5' is below the minimum 0",
        )
    ]


def test_empty_jsonl_loads_zero_rows(landing: Path, lake: Path) -> None:
    deliver(landing, "support", {"tickets.jsonl": b""})
    load = ingest_object(landing, lake, TICKETS, D)
    assert load.ok
    assert_counts(load, 0, 0)
    assert raw(lake, TICKETS).schema["tags"] == pl.List(pl.String)


def test_jsonl_row_faults(landing: Path, lake: Path) -> None:
    lines = [
        json.dumps(ticket(id=1)),
        '{"id": 2, "subject": "broken',
        "[1, 2]",
        json.dumps({k: v for k, v in ticket().items() if k != "id"}),
        json.dumps(ticket(id=5, via="web")),
        json.dumps(ticket(id=6, updated_at="2026-11-01 10:00:00")),
        json.dumps(ticket(id="seven")),
        json.dumps(ticket(id=8, satisfaction_rating={"score": "great"})),
        json.dumps(ticket(id=9)),
    ]
    deliver(landing, "support", {"tickets.jsonl": "\r\n".join(lines) + "\r\n"})

    load = ingest_object(landing, lake, TICKETS, D)

    assert_counts(load, 9, 2)
    assert raw(lake, TICKETS)["_line"].to_list() == [1, 9]
    got = faults(lake, TICKETS)
    assert got[0][:2] == (2, None) and got[0][2].startswith("line is not valid JSON: ")
    assert got[1:] == [
        (3, None, "line is not a JSON object: it is an array"),
        (4, "id", "id is required"),
        (5, "via", 'via: "web" is not an object'),
        (
            6,
            "updated_at",
            "updated_at: '2026-11-01 10:00:00' is not a datetime like 2026-11-22T14:03:07Z",
        ),
        (7, "id", "id: 'seven' is not an integer"),
        (
            8,
            "satisfaction_rating.score",
            "satisfaction_rating.score: 'great' is not one of unoffered, offered, good, bad",
        ),
    ]
    assert quarantine(lake, TICKETS)["record"][0] == lines[1]


def test_fast_and_slow_paths_type_the_same_rows_alike(landing: Path, lake: Path) -> None:
    records = [ticket(id=i, tags=["a"] if i % 2 else []) for i in range(1, 6)]
    deliver(landing, "support", {"tickets.jsonl": jsonl(*records)})
    ingest_object(landing, lake, TICKETS, D)
    fast = raw(lake, TICKETS)
    deliver(landing, "support", {"tickets.jsonl": jsonl(*records) + "not json\n"})
    ingest_object(landing, lake, TICKETS, D)
    assert raw(lake, TICKETS).equals(fast)


# --- deliveries, manifests, replays ------------------------------------------------------------


def test_incomplete_or_missing_delivery_is_refused(
    landing: Path, lake: Path, tmp_path: Path
) -> None:
    folder = deliver(landing, "crm", {"accounts.csv": accounts_csv(account())})
    (folder / "_SUCCESS").unlink()
    assert not delivery_is_complete(landing, "crm", D)
    with pytest.raises(IngestError, match="dt=2026-11-01 is not complete"):
        ingest_object(landing, lake, ACCOUNTS, D)
    with pytest.raises(IngestError, match="dt=2026-11-01 is not complete"):
        ingest_delivery(landing, lake, "crm", D)
    assert not lake.exists()
    with pytest.raises(IngestError, match="dt=2026-11-02 does not exist"):
        ingest_object(landing, lake, ACCOUNTS, date(2026, 11, 2))
    with pytest.raises(IngestError, match="landing folder .* does not exist"):
        ingest_object(tmp_path / "nowhere", lake, ACCOUNTS, D)
    with pytest.raises(IngestError, match="unknown source"):
        complete_deliveries(landing, "erp")


def test_complete_deliveries_are_listed_in_order(landing: Path) -> None:
    for d in (date(2026, 11, 3), date(2026, 11, 1)):
        deliver(landing, "crm", {}, d)
    (landing / "crm" / "dt=2026-11-02").mkdir()  # still being written
    (landing / "crm" / "notes").mkdir()
    assert complete_deliveries(landing, "crm") == [date(2026, 11, 1), date(2026, 11, 3)]
    assert complete_deliveries(landing, "support") == []
    assert delivery_is_complete(landing, "crm", date(2026, 11, 3))


def test_delivery_manifest_and_replay(landing: Path, lake: Path) -> None:
    first = accounts_csv(account(Id="001A"), account(Id="001B"))
    folder = deliver(landing, "crm", {"accounts.csv": first})

    loads = ingest_delivery(landing, lake, "crm", D)

    assert [load.object for load in loads] == [o.name for o in objects_of("crm")]
    assert loads[0].ok and all(not load.ok for load in loads[1:])  # the others are missing
    manifest = loaded_deliveries(lake, "crm")[D]
    sha = hashlib.sha256(first.encode()).hexdigest()
    assert manifest["objects"]["accounts"] == {
        "file": "crm/dt=2026-11-01/accounts.csv",
        "sha256": sha,
        "rows_read": 2,
        "rows_loaded": 2,
        "rows_quarantined": 0,
        "rejected": None,
    }
    assert manifest["objects"]["tasks"]["rejected"] == "file is missing from a complete delivery"
    mtime = datetime.fromisoformat(manifest["success_mtime"]).timestamp()
    assert mtime == pytest.approx((folder / "_SUCCESS").stat().st_mtime)
    assert manifest["fingerprint"] == delivery_fingerprint(landing, "crm", D)

    # the same night sent again, corrected: it replaces the day, never adds to it
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account(Id="001C"))})
    assert delivery_fingerprint(landing, "crm", D) != manifest["fingerprint"]
    ingest_delivery(landing, lake, "crm", D)
    assert raw(lake, ACCOUNTS)["Id"].to_list() == ["001C"]
    assert loaded_deliveries(lake, "crm")[D]["fingerprint"] == delivery_fingerprint(
        landing, "crm", D
    )
    assert list((lake / "raw" / "crm" / "accounts" / "dt=2026-11-01").iterdir()) == [
        lake / "raw" / "crm" / "accounts" / "dt=2026-11-01" / "part-0.parquet"
    ]


def test_a_delivery_sent_again_while_loading_is_not_recorded(
    landing: Path, lake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = deliver(landing, "crm", {"accounts.csv": accounts_csv(account())})
    real = load_module.ingest_object

    def resend_midway(*args: object) -> ObjectLoad:
        os.utime(folder / "_SUCCESS", (1, 1))
        return real(*args)

    monkeypatch.setattr(load_module, "ingest_object", resend_midway)
    with pytest.raises(IngestError, match="sent again while it was being loaded"):
        ingest_delivery(landing, lake, "crm", D)
    assert loaded_deliveries(lake, "crm") == {}


def test_fingerprint_hashes_a_settled_file_once(
    landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(landing_module, "_SETTLED_NS", 0)  # as if written long ago
    folder = deliver(landing, "crm", {"accounts.csv": accounts_csv(account())})
    first = delivery_fingerprint(landing, "crm", D)
    with monkeypatch.context() as m:
        m.setattr(Path, "open", None)  # reading the file again would fail
        assert delivery_fingerprint(landing, "crm", D) == first
    (folder / "accounts.csv").write_text(accounts_csv(account(), account(Id="001B")))
    assert delivery_fingerprint(landing, "crm", D) != first


def test_stale_temporary_folders_are_cleaned(landing: Path, lake: Path) -> None:
    stale = lake / ".tmp" / "crm" / "accounts" / "dt=2026-11-01-deadbeef"
    stale.mkdir(parents=True)
    (stale / "raw.parquet").write_bytes(b"half")
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account())})
    ingest_object(landing, lake, ACCOUNTS, D)
    assert not any(p.is_file() for p in (lake / ".tmp").rglob("*"))


_KILL_SCRIPT = """
import sys
from datetime import date
from pathlib import Path
from rapport.contract import get_object
from rapport.ingest import ingest_object
landing, lake = Path(sys.argv[1]), Path(sys.argv[2])
ingest_object(landing, lake, get_object("crm", "accounts"), date(2026, 11, 1))
"""


def test_a_killed_ingest_never_leaves_a_partial_partition(landing: Path, lake: Path) -> None:
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account(Id="001OLD"))})
    ingest_object(landing, lake, ACCOUNTS, D)
    many = accounts_csv(*(account(Id=f"001{i:06d}") for i in range(60_000)))
    deliver(landing, "crm", {"accounts.csv": many})
    part = lake / "raw" / "crm" / "accounts" / "dt=2026-11-01" / "part-0.parquet"
    for delay in (0.3, 0.6, 0.9, 1.2):
        proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(landing), str(lake)])
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert pl.read_parquet(part).height in (1, 60_000)  # the old partition or the new
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert load.rows_loaded == 60_000 and raw(lake, ACCOUNTS).height == 60_000
    assert not any(p.is_file() for p in (lake / ".tmp").rglob("*"))
