"""The landing files' digests, remembered by file identity and kept in the lake.

A file written again gets a new ctime (which, unlike mtime, cannot be set back), so an entry
keyed by (path, inode, size, mtime, ctime) is never stale. This keeps a delivery's
fingerprint cheap when a sensor asks about the same deliveries every minute and, kept in the
lake (`rapport.lake.Lake.landing_hashes`), across runs: an unchanged landing file is read
once, when it is loaded, never again to decide what is pending. Files changed in the last
seconds are not remembered: timestamps are coarser than writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rapport.lake import Lake

Identity = tuple[str, int, int, int, int]  # resolved path, inode, size, mtime_ns, ctime_ns
CHUNK = 1 << 24


def identity(path: Path) -> Identity:
    st = path.stat()
    return str(path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


class LandingHashes:
    """sha256 of landing files already read. ``settled_ns``: how long ago a file must have
    been written for its digest to be remembered. ``files_read`` lists the files this object
    read to compute a digest (a load's own scan remembers without reading again)."""

    def __init__(self, settled_ns: int = 2_000_000_000) -> None:
        self.settled_ns = settled_ns
        self.known: dict[Identity, str] = {}
        self.files_read: list[Path] = []

    def remember(self, key: Identity, sha256: str) -> str:
        if time.time_ns() - max(key[3], key[4]) > self.settled_ns:
            self.known[key] = sha256
        return sha256

    def sha256(self, path: Path) -> str:
        key = identity(path)
        if key in self.known:
            return self.known[key]
        self.files_read.append(path)
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        return self.remember(key, digest.hexdigest())

    def load(self, lake: Path) -> None:
        """Remember the digests recorded in the lake by earlier runs."""
        for name, e in _read_state(Lake(lake).landing_hashes).items():
            try:
                key = (name, e["ino"], e["size"], e["mtime_ns"], e["ctime_ns"])
                self.known[key] = e["sha256"]
            except (KeyError, TypeError):
                continue

    def save(self, lake: Path, landing: Path) -> None:
        """Record in the lake the digest of each file under `landing` whose identity and
        stat are unchanged since it was hashed (one entry per file; entries of files that
        are gone are dropped; entries under other landings are kept). Written only when it
        changes."""
        state = Lake(lake).landing_hashes
        before = _read_state(state)
        root = str(landing.resolve()) + os.sep
        after = {name: e for name, e in before.items() if not name.startswith(root)}
        for name in {key[0] for key in self.known if key[0].startswith(root)}:
            try:
                key = identity(Path(name))
            except OSError:
                continue  # removed from the landing
            if key in self.known:
                _, ino, size, mtime_ns, ctime_ns = key
                after[name] = {
                    "ino": ino,
                    "size": size,
                    "mtime_ns": mtime_ns,
                    "ctime_ns": ctime_ns,
                    "sha256": self.known[key],
                }
        if after == before:
            return
        state.parent.mkdir(parents=True, exist_ok=True)
        tmp = state.with_name(f"{state.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(after, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, state)


def _read_state(state: Path) -> dict[str, dict]:
    try:
        entries = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every file is hashed again, nothing is wrong
    return entries if isinstance(entries, dict) else {}


@contextmanager
def kept_in_lake(
    lake: Path, landing: Path, hashes: LandingHashes | None = None
) -> Iterator[LandingHashes]:
    """Digests that start from, and are then kept in, what the lake has recorded."""
    hashes = hashes or LandingHashes()
    hashes.load(lake)
    yield hashes
    hashes.save(lake, landing)
