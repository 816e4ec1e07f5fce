"""`rapport.ingest.hashes`: landing digests kept in the lake: a file is hashed once, a
replayed file is always seen.

No Dagster run: the loading and planning functions `rapport run` and the ingest steps call.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import date
from pathlib import Path

import pytest

from rapport.ingest import delivery_fingerprint, loaded_deliveries
from rapport.ingest.hashes import LandingHashes
from rapport.load_nights import load_source_nights
from rapport.paths import Paths
from rapport.pending import pending_nights, record_published
from rapport.plan import plan_run
from tests.landing_builder import account, sf, write_delivery

N1, N2 = date(2026, 9, 1), date(2026, 9, 2)


def settled() -> LandingHashes:
    """A process that has hashed nothing yet, where every file counts as settled."""
    return LandingHashes(settled_ns=0)


@pytest.fixture
def hashes() -> LandingHashes:
    return settled()


def reads(hashes: LandingHashes) -> list[str]:
    """The landing files read to compute a fingerprint (scans while loading not included)."""
    return [p.name for p in hashes.files_read]


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    landing = tmp_path / "landing"
    write_delivery(landing, "crm", N1, {"accounts": [account("A", "Alpha", sf(N1))]})
    return Paths.resolve(tmp_path / "warehouse.duckdb", landing=landing)


def published(paths: Paths) -> None:
    """N1 loaded and published, then a new process: nothing hashed in memory."""
    assert load_source_nights(paths, "crm", [N1], hashes=settled()).loaded == [N1]
    record_published(paths.lake)


def state(paths: Paths) -> dict[str, dict]:
    return json.loads((paths.lake / "state" / "landing_hashes.json").read_text())


def test_loading_hashes_each_file_once_and_keeps_the_digests(paths: Paths, hashes: LandingHashes):
    assert load_source_nights(paths, "crm", [N1], hashes=hashes).loaded == [N1]
    assert reads(hashes) == []  # the load's own scan hashed the files; nothing read them again
    folder = paths.landing / "crm" / f"dt={N1}"
    kept = state(paths)
    assert sorted(kept) == sorted(str(p) for p in folder.iterdir() if p.name != "_SUCCESS")
    for name, entry in kept.items():
        st = Path(name).stat()
        assert entry == {
            "ino": st.st_ino,
            "size": st.st_size,
            "mtime_ns": st.st_mtime_ns,
            "ctime_ns": st.st_ctime_ns,
            "sha256": hashlib.sha256(Path(name).read_bytes()).hexdigest(),
        }
    [record] = [m for d, m in loaded_deliveries(paths.lake, "crm").items() if d == N1]
    assert record["fingerprint"] == delivery_fingerprint(paths.landing, "crm", N1)


def test_an_unchanged_published_night_is_not_read_again(paths: Paths, hashes: LandingHashes):
    published(paths)
    assert pending_nights(paths, "crm", hashes=hashes) == []
    assert plan_run(paths, hashes=hashes) is None
    assert load_source_nights(paths, "crm", [N1], hashes=hashes).unchanged == [N1]
    assert reads(hashes) == []


def test_a_replay_of_the_same_size_is_seen_by_its_mtime(paths: Paths, hashes: LandingHashes):
    published(paths)
    accounts = paths.landing / "crm" / f"dt={N1}" / "accounts.csv"
    before, st = accounts.read_bytes(), accounts.stat()
    after = before.replace(b"Alpha", b"Alpho")
    assert len(after) == len(before)
    accounts.write_bytes(after)
    os.utime(accounts, ns=(st.st_atime_ns, st.st_mtime_ns - 1_000_000_000))
    assert pending_nights(paths, "crm", hashes=hashes) == [N1]
    assert reads(hashes) == ["accounts.csv"]  # the other files came from the lake's digests
    assert load_source_nights(paths, "crm", [N1], hashes=hashes).loaded == [N1]
    assert state(paths)[str(accounts)]["sha256"] == hashlib.sha256(after).hexdigest()


def test_a_replay_with_its_mtime_set_back_is_seen_by_its_ctime(paths: Paths, hashes: LandingHashes):
    published(paths)
    accounts = paths.landing / "crm" / f"dt={N1}" / "accounts.csv"
    before, st = accounts.read_bytes(), accounts.stat()
    time.sleep(0.05)  # past the clock's granularity, so the ctime moves
    accounts.write_bytes(before.replace(b"Alpha", b"Alpho"))
    os.utime(accounts, ns=(st.st_atime_ns, st.st_mtime_ns))  # e.g. `cp -p`, `rsync -t`
    assert (accounts.stat().st_size, accounts.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert pending_nights(paths, "crm", hashes=hashes) == [N1]


def test_a_run_for_given_nights_looks_only_at_those(paths: Paths, hashes: LandingHashes):
    published(paths)
    write_delivery(paths.landing, "crm", N2, {"accounts": [account("A", "Alpha 2", sf(N2))]})
    (paths.landing / "crm" / f"dt={N1}" / "accounts.csv").write_text("Id\r\nchanged\r\n")
    (paths.landing / "crm" / f"dt={N1}" / "_SUCCESS").touch()  # a replay writes it last
    plan = plan_run(paths, night=N2, hashes=hashes)
    assert plan.pending == {"crm": [N2], "support": [], "surveys": []}
    assert reads(hashes) == []  # N1's replay is outside the night asked for; N2 was never published
    assert plan_run(paths, night_from=N1, night_to=N2, hashes=hashes).pending["crm"] == [N1, N2]
    assert reads(hashes) == ["accounts.csv"]
