"""`rapport.ingest.cast`: contract kinds typed, row faults named (through `ingest_object`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from rapport.contract import DUCKDB_TYPES, raw_kinds, raw_schema
from rapport.ingest import (
    ingest_object,
)
from rapport.lake import PART, RAW, Lake
from tests.unit.ingest.delivery_files import (
    ACCOUNT_COLUMNS,
    ACCOUNTS,
    METRICS,
    TICKETS,
    D,
    account,
    accounts_csv,
    assert_counts,
    csv_line,
    deliver,
    faults,
    jsonl,
    quarantine,
    raw,
    ticket,
)


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
    assert dict(schema) == raw_schema(ACCOUNTS)

    con = duckdb.connect()  # as dbt-duckdb reads the raw zone
    for obj in (ACCOUNTS, TICKETS):
        parts = Lake(lake).object_dir(RAW, obj.source, obj.name)
        scan = f"read_parquet('{parts}/*/*.parquet', hive_partitioning = true)"
        described = con.execute(f"describe select * from {scan}").fetchall()
        types = {row[0]: row[1] for row in described}
        assert types.pop("dt") == "DATE"
        assert types == {n: DUCKDB_TYPES[k] for n, k in raw_kinds(obj).items()}, obj.qualified
    part = Lake(lake).partition(RAW, TICKETS, D) / PART
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
