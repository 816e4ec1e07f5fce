"""Writing small, exact deliveries by hand (for scenario tests), in the contract's formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import psutil

from rapport.contract import SourceObject, objects_of

Row = dict[str, object]


def _csv_text(obj: SourceObject, rows: list[Row]) -> str:
    names = [c.name for c in obj.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    if obj.fmt == "qualtrics_csv":
        writer.writerow([f"question {n}" for n in names])
        writer.writerow([json.dumps({"ImportId": n}) for n in names])
    for row in rows:
        writer.writerow(["" if row.get(n) is None else row[n] for n in names])
    return out.getvalue()


def _jsonl_text(rows: list[Row]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def write_delivery(
    landing: Path,
    source: str,
    night: date,
    records: dict[str, list[Row]] | None = None,
    complete: bool = True,
) -> Path:
    """One delivery folder: every object of the source (empty unless given), `_SUCCESS` last."""
    folder = landing / source / f"dt={night.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    records = records or {}
    for obj in objects_of(source):
        rows = records.get(obj.name, [])
        text = _jsonl_text(rows) if obj.fmt == "jsonl" else _csv_text(obj, rows)
        (folder / obj.filename).write_bytes(text.encode("utf-8"))
    if complete:
        (folder / "_SUCCESS").write_bytes(b"")
    return folder


def sf(day: date, hour: int = 9) -> str:
    """A Salesforce datetime on `day`."""
    return f"{day.isoformat()}T{hour:02d}:00:00.000+0000"


def account(id_: str, name: str, stamp: str, **extra: object) -> Row:
    row: Row = {
        "Id": id_,
        "Name": name,
        "Type": "Customer",
        "OwnerId": "005U1",
        "ARR__c": "10000",
        "Contract_End_Date__c": "2027-06-30",
        "CreatedDate": "2025-01-01T09:00:00.000+0000",
        "LastModifiedDate": stamp,
        "IsDeleted": "false",
    }
    row.update(extra)
    return row


def owner(stamp: str) -> Row:
    return {
        "Id": "005U1",
        "Name": "Ana Owner",
        "Email": "ana@example.com",
        "IsActive": "true",
        "CreatedDate": "2024-01-01T09:00:00.000+0000",
        "LastModifiedDate": stamp,
    }


def crm_night(landing: Path, night: date = date(2026, 9, 1)) -> None:
    """A crm delivery of two accounts, one of them quarantined (ARR "lots")."""
    write_delivery(
        landing,
        "crm",
        night,
        {
            "users": [owner(sf(night))],
            "accounts": [
                account("A", "Alpha", sf(night)),
                account("B", "Beta", sf(night), ARR__c="lots"),  # quarantined
            ],
        },
    )


def crm_range_accounts(night: date, i: int, bad_arr: bool) -> dict[str, list[Row]]:
    """Night `i` of a small CRM range: two accounts and their owner; with `bad_arr`, the
    second account (line 3 of accounts.csv) has an ARR that is not a number."""
    accounts = [account(f"001A{i}", f"Acme {i}", sf(night)), account(f"001B{i}", "B", sf(night))]
    if bad_arr:
        accounts[1]["ARR__c"] = "lots"
    return {"accounts": accounts, "users": [owner(sf(night))]}


def child_processes() -> list[psutil.Process]:
    """This process's children, but multiprocessing's resource tracker (one per process,
    started with the first child)."""
    return [
        p for p in psutil.Process().children() if "resource_tracker" not in " ".join(p.cmdline())
    ]
