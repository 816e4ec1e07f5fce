"""`rapport.ingest.landing`: which deliveries are complete, and their fingerprints."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rapport.ingest import (
    IngestError,
    complete_deliveries,
    delivery_fingerprint,
    delivery_is_complete,
    ingest_delivery,
    ingest_object,
)
from rapport.ingest.hashes import LandingHashes
from tests.unit.ingest.delivery_files import (
    ACCOUNTS,
    D,
    account,
    accounts_csv,
    deliver,
)


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


def test_fingerprint_hashes_a_settled_file_once(landing: Path) -> None:
    hashes = LandingHashes(settled_ns=0)  # as if written long ago
    folder = deliver(landing, "crm", {"accounts.csv": accounts_csv(account())})
    first = delivery_fingerprint(landing, "crm", D, hashes)
    read = len(hashes.files_read)
    assert delivery_fingerprint(landing, "crm", D, hashes) == first
    assert len(hashes.files_read) == read  # not read again
    (folder / "accounts.csv").write_text(accounts_csv(account(), account(Id="001B")))
    assert delivery_fingerprint(landing, "crm", D, hashes) != first
