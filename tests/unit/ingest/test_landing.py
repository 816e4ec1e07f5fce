"""Landing digests kept in the lake: a file is hashed once, a replayed file is always seen.

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

from rapport.deliveries import load_source_nights, pending_nights, record_published
from rapport.ingest import delivery_fingerprint, loaded_deliveries
from rapport.ingest import landing as landing_module
from rapport.plan import plan_run
from rapport.settings import Paths
from tests.landing_builder import account, sf, write_delivery

N1, N2 = date(2026, 9, 1), date(2026, 9, 2)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The landing files read to compute a fingerprint (scans while loading not included),
    in a process that has hashed nothing yet; every file counts as settled."""
    monkeypatch.setattr(landing_module, "_SETTLED_NS", 0)
    monkeypatch.setattr(landing_module, "_HASHES", {})
    seen: list[str] = []
    real = landing_module._read_sha256

    def counting(path: Path) -> str:
        seen.append(path.name)
        return real(path)

    monkeypatch.setattr(landing_module, "_read_sha256", counting)
    return seen


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    landing = tmp_path / "landing"
    write_delivery(landing, "crm", N1, {"accounts": [account("A", "Alpha", sf(N1))]})
    return Paths.resolve(tmp_path / "warehouse.duckdb", landing=landing)


def published(paths: Paths) -> None:
    """N1 loaded and published, then a new process: nothing hashed in memory."""
    assert load_source_nights(paths, "crm", [N1]).loaded == [N1]
    record_published(paths.lake)
    landing_module._HASHES.clear()


def state(paths: Paths) -> dict[str, dict]:
    return json.loads((paths.lake / "state" / "landing_hashes.json").read_text())


def test_loading_hashes_each_file_once_and_keeps_the_digests(paths: Paths, reads: list[str]):
    assert load_source_nights(paths, "crm", [N1]).loaded == [N1]
    assert reads == []  # the load's own scan hashed the files; nothing read them again
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


def test_an_unchanged_published_night_is_not_read_again(paths: Paths, reads: list[str]):
    published(paths)
    assert pending_nights(paths, "crm") == []
    assert plan_run(paths) is None
    assert load_source_nights(paths, "crm", [N1]).unchanged == [N1]
    assert reads == []


def test_a_replay_of_the_same_size_is_seen_by_its_mtime(paths: Paths, reads: list[str]):
    published(paths)
    accounts = paths.landing / "crm" / f"dt={N1}" / "accounts.csv"
    before, st = accounts.read_bytes(), accounts.stat()
    after = before.replace(b"Alpha", b"Alpho")
    assert len(after) == len(before)
    accounts.write_bytes(after)
    os.utime(accounts, ns=(st.st_atime_ns, st.st_mtime_ns - 1_000_000_000))
    assert pending_nights(paths, "crm") == [N1]
    assert reads == ["accounts.csv"]  # the other files came from the lake's digests
    assert load_source_nights(paths, "crm", [N1]).loaded == [N1]
    assert state(paths)[str(accounts)]["sha256"] == hashlib.sha256(after).hexdigest()


def test_a_replay_with_its_mtime_set_back_is_seen_by_its_ctime(paths: Paths, reads: list[str]):
    published(paths)
    accounts = paths.landing / "crm" / f"dt={N1}" / "accounts.csv"
    before, st = accounts.read_bytes(), accounts.stat()
    time.sleep(0.05)  # past the clock's granularity, so the ctime moves
    accounts.write_bytes(before.replace(b"Alpha", b"Alpho"))
    os.utime(accounts, ns=(st.st_atime_ns, st.st_mtime_ns))  # e.g. `cp -p`, `rsync -t`
    assert (accounts.stat().st_size, accounts.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert pending_nights(paths, "crm") == [N1]


def test_a_run_for_given_nights_looks_only_at_those(paths: Paths, reads: list[str]):
    published(paths)
    write_delivery(paths.landing, "crm", N2, {"accounts": [account("A", "Alpha 2", sf(N2))]})
    (paths.landing / "crm" / f"dt={N1}" / "accounts.csv").write_text("Id\r\nchanged\r\n")
    (paths.landing / "crm" / f"dt={N1}" / "_SUCCESS").touch()  # a replay writes it last
    plan = plan_run(paths, night=N2)
    assert plan.pending == {"crm": [N2], "support": [], "surveys": []}
    assert reads == []  # N1's replay is outside the night asked for; N2 was never published
    assert plan_run(paths, night_from=N1, night_to=N2).pending["crm"] == [N1, N2]
    assert reads == ["accounts.csv"]
