"""The landing zone: where a night's delivery is, whether it is complete, what its files hold."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np

from rapport.contract import SOURCES, SourceObject, objects_of
from rapport.ingest.model import IngestError

SUCCESS = "_SUCCESS"
_CHUNK = 1 << 24
_DT = re.compile(r"dt=(\d{4}-\d{2}-\d{2})")


def check_source(source: str) -> None:
    if source not in SOURCES:
        raise IngestError(f"unknown source {source!r}: expected one of {', '.join(SOURCES)}")


def _check_root(landing: Path) -> None:
    if not landing.is_dir():
        raise IngestError(f"landing folder {landing} does not exist")


def delivery_dir(landing: Path, source: str, extract_date: date) -> Path:
    return landing / source / f"dt={extract_date.isoformat()}"


def deliveries_bytes(landing: Path, source: str, nights: list[date]) -> int:
    """The size of a source's delivered files for these nights (what its ingest would read)."""
    folders = (delivery_dir(landing, source, night) for night in nights)
    return sum(
        st.st_size
        for d in folders
        if _is_real_dir(d)
        for f in d.iterdir()
        if stat.S_ISREG((st := f.lstat()).st_mode)
    )


def relative_file(obj: SourceObject, extract_date: date) -> str:
    """The file's path relative to the landing root, as recorded in lineage."""
    return f"{obj.source}/dt={extract_date.isoformat()}/{obj.filename}"


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def file_problem(landing: Path, path: Path) -> str | None:
    """Why a landing entry must not be read: only regular files inside the landing are.
    None when it is one, or when it does not exist (a missing file is reported elsewhere).
    Nothing is opened: a symbolic link's or a device's content is never read."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(mode):
        return "is a symbolic link: only regular files inside the landing are read"
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a device, FIFO or socket): it is not read"
    if not path.resolve().is_relative_to(landing.resolve()):
        return "resolves outside the landing: it is not read"
    return None


def delivery_is_complete(landing: Path, source: str, extract_date: date) -> bool:
    """A delivery may be read once its folder holds ``_SUCCESS``."""
    check_source(source)
    _check_root(landing)
    folder = delivery_dir(landing, source, extract_date)
    return _is_real_dir(folder) and _is_regular(folder / SUCCESS)


def require_complete(landing: Path, source: str, extract_date: date) -> Path:
    """The delivery folder, or an IngestError naming it when it must not be read."""
    if not delivery_is_complete(landing, source, extract_date):
        folder = delivery_dir(landing, source, extract_date)
        if folder.is_symlink():
            raise IngestError(f"delivery folder {folder} is a symbolic link: it is not read")
        if not folder.is_dir():
            raise IngestError(f"delivery folder {folder} does not exist")
        raise IngestError(f"delivery folder {folder} is not complete: it has no {SUCCESS}")
    return delivery_dir(landing, source, extract_date)


@dataclass(frozen=True)
class Refusal:
    """A landing entry that looks like a delivery but is refused, and why."""

    folder: str  # relative to the landing root, e.g. crm/dt=2062-10-05
    reason: str

    def line(self) -> str:
        return f"{self.folder}: {self.reason}"


class _Window(Protocol):
    def refusal(self, night: date) -> str | None: ...


def incomplete_reason(folder: Path, source: str) -> str | None:
    """Why a folder with ``_SUCCESS`` is still incomplete: a contract file written after
    the marker (a replay being written over an old delivery, or a file cut short)."""
    try:
        marked = (folder / SUCCESS).lstat().st_mtime_ns
    except OSError:
        return f"it has no {SUCCESS}"
    for obj in objects_of(source):
        try:
            st = (folder / obj.filename).lstat()
        except OSError:
            continue
        if st.st_mtime_ns > marked:
            return (
                f"incomplete: {obj.filename} was modified after {SUCCESS} (write {SUCCESS} "
                "again once the delivery is complete); not read"
            )
    return None


def scan_deliveries(
    landing: Path, source: str, window: _Window | None = None
) -> tuple[list[date], list[Refusal]]:
    """The source's complete deliveries that may be read (oldest first), and the folders
    refused: names that are not ``dt=YYYY-MM-DD``, symbolic links, folders modified after
    their ``_SUCCESS``, and extract dates outside ``window``. Hidden entries and plain
    files are ignored; a folder without ``_SUCCESS`` is simply not complete yet."""
    check_source(source)
    _check_root(landing)
    root = landing / source
    if root.is_symlink() or (
        root.exists() and not root.resolve().is_relative_to(landing.resolve())
    ):
        return [], [Refusal(source, "is a symbolic link or resolves outside the landing")]
    if not _is_real_dir(root):
        return [], []
    found: list[date] = []
    refused: list[Refusal] = []
    for entry in sorted(root.iterdir()):
        name, where = entry.name, f"{source}/{entry.name}"
        if name.startswith("."):
            continue
        if entry.is_symlink():
            refused.append(
                Refusal(where, "is a symbolic link: only folders inside the landing are read")
            )
            continue
        if not _is_real_dir(entry):
            continue
        m = _DT.fullmatch(name)
        if m is None:
            refused.append(Refusal(where, "is not a delivery folder name: expected dt=YYYY-MM-DD"))
            continue
        try:
            night = date.fromisoformat(m.group(1))
        except ValueError:
            refused.append(Refusal(where, f"{m.group(1)} is not a date: expected dt=YYYY-MM-DD"))
            continue
        if not _is_regular(entry / SUCCESS):
            continue
        reason = incomplete_reason(entry, source) or (window.refusal(night) if window else None)
        if reason is not None:
            refused.append(Refusal(where, reason))
        else:
            found.append(night)
    return found, refused


def complete_deliveries(landing: Path, source: str, window: _Window | None = None) -> list[date]:
    """Extract dates of the source's complete deliveries that may be read, oldest first."""
    return scan_deliveries(landing, source, window)[0]


def success_mtime(landing: Path, source: str, extract_date: date) -> float:
    return (delivery_dir(landing, source, extract_date) / SUCCESS).stat().st_mtime


@dataclass(frozen=True)
class FileStats:
    """One streaming pass over a landing file's bytes."""

    sha256: str
    size: int
    newlines: int
    commas: int
    quotes: int
    ends_with_newline: bool


# sha256 of landing files already read, by identity and stat: a file written again gets a
# new ctime (which, unlike mtime, cannot be set back), so an entry is never stale. This
# keeps delivery_fingerprint cheap when a sensor asks about the same deliveries every minute,
# and, kept in the lake (`<lake>/state/landing_hashes.json`, see `hash_cache`), across runs:
# an unchanged landing file is read once, when it is loaded, never again to decide what is
# pending. Files changed in the last seconds are not cached: timestamps are coarser than writes.
Identity = tuple[str, int, int, int, int]  # resolved path, inode, size, mtime_ns, ctime_ns
_HASHES: dict[Identity, str] = {}
_SETTLED_NS = 2_000_000_000
HASH_STATE = Path("state") / "landing_hashes.json"


def _identity(path: Path) -> Identity:
    st = path.stat()
    return str(path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _remember(identity: Identity, sha256: str) -> str:
    if time.time_ns() - max(identity[3], identity[4]) > _SETTLED_NS:
        _HASHES[identity] = sha256
    return sha256


def _read_hash_state(state: Path) -> dict[str, dict]:
    try:
        entries = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every file is hashed again, nothing is wrong
    return entries if isinstance(entries, dict) else {}


def load_hashes(lake: Path) -> None:
    """Remember the digests recorded in the lake by earlier runs."""
    for name, e in _read_hash_state(lake / HASH_STATE).items():
        try:
            key = (name, e["ino"], e["size"], e["mtime_ns"], e["ctime_ns"])
            _HASHES[key] = e["sha256"]
        except (KeyError, TypeError):
            continue


def save_hashes(lake: Path, landing: Path) -> None:
    """Record in the lake the digest of each file under `landing` whose identity and stat
    are unchanged since it was hashed (one entry per file; entries of files that are gone
    are dropped; entries under other landings are kept). Written only when it changes."""
    state = lake / HASH_STATE
    before = _read_hash_state(state)
    root = str(landing.resolve()) + os.sep
    after = {name: e for name, e in before.items() if not name.startswith(root)}
    for name in {key[0] for key in _HASHES if key[0].startswith(root)}:
        try:
            key = _identity(Path(name))
        except OSError:
            continue  # removed from the landing
        if key in _HASHES:
            _, ino, size, mtime_ns, ctime_ns = key
            after[name] = {
                "ino": ino,
                "size": size,
                "mtime_ns": mtime_ns,
                "ctime_ns": ctime_ns,
                "sha256": _HASHES[key],
            }
    if after == before:
        return
    state.parent.mkdir(parents=True, exist_ok=True)
    tmp = state.with_name(f"{state.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(after, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, state)


@contextmanager
def hash_cache(lake: Path, landing: Path) -> Iterator[None]:
    """Fingerprints inside use (and then keep) the digests the lake has recorded."""
    load_hashes(lake)
    yield
    save_hashes(lake, landing)


def scan_bytes(path: Path) -> FileStats:
    """Hash and count a file in one pass (run beside polars reading the same file)."""
    identity = _identity(path)
    digest = hashlib.sha256()
    size = newlines = commas = quotes = 0
    last = 0
    buf = bytearray(_CHUNK)
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(memoryview(buf)[:n])
            # numpy counts a byte about four times as fast as bytes.count
            chunk = np.frombuffer(buf, np.uint8, n)
            newlines += int(np.count_nonzero(chunk == ord("\n")))
            commas += int(np.count_nonzero(chunk == ord(",")))
            quotes += int(np.count_nonzero(chunk == ord('"')))
            size, last = size + n, int(chunk[-1])
    sha256 = _remember(identity, digest.hexdigest())
    return FileStats(sha256, size, newlines, commas, quotes, last == ord("\n"))


def file_sha256(path: Path) -> str:
    identity = _identity(path)
    if identity in _HASHES:
        return _HASHES[identity]
    return _remember(identity, _read_sha256(path))


def _read_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def utf8_error(path: Path) -> str | None:
    """Why the file is not UTF-8 (the first bad byte and its offset), or None if it is."""
    offset, tail = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            buf = tail + chunk
            try:
                buf.decode("utf-8")
                offset, tail = offset + len(buf), b""
            except UnicodeDecodeError as e:
                if e.end < len(buf) or e.reason != "unexpected end of data":
                    return _bad_byte(buf[e.start], offset + e.start)
                offset, tail = offset + e.start, buf[e.start :]  # a character cut by the chunk
    return _bad_byte(tail[0], offset) if tail else None


def _bad_byte(byte: int, offset: int) -> str:
    return f"file is not UTF-8 (byte 0x{byte:02x} at offset {offset})"


def delivery_fingerprint(landing: Path, source: str, extract_date: date) -> str:
    """A hash of the contents of the delivery's contract files (missing ones included).

    Equal to the ``fingerprint`` in the manifest when the delivery loaded is the one in
    landing now: a changed value means the night was replayed with different files.
    """
    folder = require_complete(landing, source, extract_date)
    hashes = {}
    for obj in objects_of(source):
        path = folder / obj.filename
        # a refused entry (a link, a device, a folder) is never read: like a missing file,
        # it has no digest (as in the manifest of the load that rejected it)
        readable = file_problem(landing, path) is None and path.is_file()
        hashes[obj.filename] = file_sha256(path) if readable else None
    return fingerprint(hashes)


def fingerprint(hashes: dict[str, str | None]) -> str:
    text = "".join(f"{name}:{sha or 'missing'}\n" for name, sha in sorted(hashes.items()))
    return hashlib.sha256(text.encode()).hexdigest()
