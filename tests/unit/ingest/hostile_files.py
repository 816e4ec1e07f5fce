"""Small hand-written landing files for the ingest library's hostile-input tests."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl

from rapport.contract import SourceObject, get_object
from rapport.ingest.lake import QUARANTINE, RAW, partition

D = date(2026, 9, 1)
ACCOUNTS = get_object("crm", "accounts")
ORGS = get_object("support", "organizations")
TICKETS = get_object("support", "tickets")
RESPONSES = get_object("surveys", "responses")

ACCOUNTS_HEADER = ",".join(c.name for c in ACCOUNTS.columns) + "\n"


def account_line(i: int, name: str = "Acme", arr: str = "100", end: str = "2027-01-01") -> str:
    """One accounts.csv record in the header's column order."""
    values = {
        "Id": f"A{i}",
        "Name": f"{name} {i}",
        "Type": "Customer",
        "ARR__c": arr,
        "Contract_End_Date__c": end,
        "LastModifiedDate": "2026-09-01T09:00:00.000+0000",
        "IsDeleted": "false",
    }
    return ",".join(values.get(c.name, "") for c in ACCOUNTS.columns) + "\n"


def accounts(*lines: str) -> bytes:
    return (ACCOUNTS_HEADER + "".join(lines)).encode("utf-8")


def org_line(i: int, **extra: object) -> str:
    return json.dumps({"id": i, "name": f"Org {i}", "updated_at": "2026-09-01T09:00:00Z", **extra})


def responses(*rows: list[str], blank_after_header: bool = False) -> bytes:
    names = [c.name for c in RESPONSES.columns]
    head = [",".join(names), ",".join(f"q {n}" for n in names)]
    head.append(",".join('"' + json.dumps({"ImportId": n}).replace('"', '""') + '"' for n in names))
    text = "\n".join(head) + "\n" + ("\n" if blank_after_header else "")
    return (text + "".join(",".join(r) + "\n" for r in rows)).encode("utf-8")


def response_row(rid: str, nps: str = "9") -> list[str]:
    values = {
        "RecordedDate": "2026-09-01 10:00:00",
        "ResponseId": rid,
        "Progress": "100",
        "Finished": "1",
        "Q_NPS": nps,
        "account_id": "A1",
    }
    return [values.get(c.name, "") for c in RESPONSES.columns]


def deliver(landing: Path, obj: SourceObject, data: bytes, night: date = D) -> Path:
    """A complete delivery of the source with this one file (the others empty)."""
    from tests.landing_builder import write_delivery

    folder = write_delivery(landing, obj.source, night)
    (folder / obj.filename).write_bytes(data)
    (folder / "_SUCCESS").touch()  # written last, as a sender does
    return folder


def raw_rows(lake: Path, obj: SourceObject, night: date = D) -> pl.DataFrame:
    return pl.read_parquet(partition(lake, RAW, obj, night) / "part-0.parquet")


def faults(lake: Path, obj: SourceObject, night: date = D) -> list[tuple]:
    frame = pl.read_parquet(partition(lake, QUARANTINE, obj, night) / "part-0.parquet")
    return frame.select("line", "column", "reason").rows()
