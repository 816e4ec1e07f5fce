"""`rapport.ingest.load`: a delivery into the raw zone and quarantine, files refused whole, load records."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

import pytest

from rapport.contract import objects_of
from rapport.ingest import (
    IngestError,
    ObjectLoad,
    delivery_fingerprint,
    ingest_delivery,
    ingest_object,
    loaded_deliveries,
    readers,
)
from rapport.ingest import load as load_module
from tests.unit.ingest.delivery_files import (
    ACCOUNT_COLUMNS,
    ACCOUNTS,
    D,
    account,
    accounts_csv,
    assert_counts,
    deliver,
    faults,
    quarantine,
    raw,
)


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


def test_delivery_load_record_and_replay(landing: Path, lake: Path) -> None:
    first = accounts_csv(account(Id="001A"), account(Id="001B"))
    folder = deliver(landing, "crm", {"accounts.csv": first})

    loads = ingest_delivery(landing, lake, "crm", D)

    assert [load.object for load in loads] == [o.name for o in objects_of("crm")]
    assert loads[0].ok and all(not load.ok for load in loads[1:])  # the others are missing
    record = loaded_deliveries(lake, "crm")[D]
    sha = hashlib.sha256(first.encode()).hexdigest()
    assert record["objects"]["accounts"] == {
        "file": "crm/dt=2026-11-01/accounts.csv",
        "sha256": sha,
        "rows_read": 2,
        "rows_loaded": 2,
        "rows_quarantined": 0,
        "rejected": None,
    }
    assert record["objects"]["tasks"]["rejected"] == "file is missing from a complete delivery"
    mtime = datetime.fromisoformat(record["success_mtime"]).timestamp()
    assert mtime == pytest.approx((folder / "_SUCCESS").stat().st_mtime)
    assert record["fingerprint"] == delivery_fingerprint(landing, "crm", D)

    # the same night sent again, corrected: it replaces the day, never adds to it
    deliver(landing, "crm", {"accounts.csv": accounts_csv(account(Id="001C"))})
    assert delivery_fingerprint(landing, "crm", D) != record["fingerprint"]
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
