"""Landing files written by hand for the ingest's unit tests, and the lake read back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl

from rapport.contract import get_object
from rapport.ingest import ObjectLoad
from rapport.lake import PART, QUARANTINE, RAW, Lake

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
    return pl.read_parquet(Lake(lake).partition(RAW, obj, d) / PART)


def quarantine(lake: Path, obj, d: date = D) -> pl.DataFrame:
    return pl.read_parquet(Lake(lake).partition(QUARANTINE, obj, d) / PART)


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
