"""The landing zone: where a night's delivery is, whether it is complete, what its files hold."""

from __future__ import annotations

import hashlib
import re
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np

from rapport.contract import SOURCES, SourceObject, objects_of
from rapport.ingest.hashes import CHUNK, LandingHashes, identity
from rapport.ingest.results import IngestError

SUCCESS = "_SUCCESS"
_DT = re.compile(r"dt=(\d{4}-\d{2}-\d{2})")


def check_source(source: str) -> None:
    if source not in SOURCES:
        raise IngestError(f"unknown source {source!r}: expected one of {', '.join(SOURCES)}")


def _check_root(landing: Path) -> None:
    try:
        landing.stat()
    except FileNotFoundError:
        raise IngestError(f"landing folder {landing} does not exist") from None
    except OSError as e:
        raise IngestError(f"landing folder {landing} cannot be read: {e.strerror or e}") from None
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
    try:
        entries = sorted(root.iterdir())
    except OSError as e:
        return [], [Refusal(source, f"cannot be read: {e.strerror or e}")]
    found: list[date] = []
    refused: list[Refusal] = []
    for entry in entries:
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
        try:
            if not stat.S_ISREG((entry / SUCCESS).lstat().st_mode):
                continue
        except FileNotFoundError:
            continue  # not complete yet
        except OSError as e:  # a folder Rapport may not enter: say so, never skip it silently
            refused.append(Refusal(where, f"cannot be read: {e.strerror or e}"))
            continue
        reason = incomplete_reason(entry, source) or (window.refusal(night) if window else None)
        if reason is not None:
            refused.append(Refusal(where, reason))
        else:
            found.append(night)
    return found, refused


def unlisted_files(landing: Path, source: str, extract_date: date) -> list[str]:
    """Names in a delivery folder that are none of the source's contract files (nor
    ``_SUCCESS``, nor hidden): never read, and worth a word (`Accounts.csv`, `leads.csv`)."""
    known = {obj.filename for obj in objects_of(source)} | {SUCCESS}
    try:
        names = [e.name for e in delivery_dir(landing, source, extract_date).iterdir()]
    except OSError:
        return []
    return sorted(n for n in names if n not in known and not n.startswith("."))


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
    stray_quotes: int = 0  # quotes neither opening, closing nor doubling one (see stray_quotes)


_OPENS = np.frombuffer(b',\n"', np.uint8)  # what may stand before a quote that opens a field
_CLOSES = np.frombuffer(b'",\r\n', np.uint8)  # after one that closes it (or doubles it)


def stray_quotes(chunk: np.ndarray, before: int = ord("\n")) -> int:
    """Quotes in ``chunk`` that neither open a field, close one nor double one: the
    ``"The "Big" Deal"`` that a lenient CSV reader turns into ``The Big Deal`` without a
    word. ``before`` is the byte before the chunk; a quote that ends the chunk counts
    (what follows it is unknown), which only sends a file to the strict reader."""
    at = np.flatnonzero(chunk == ord('"'))
    if not at.size:
        return 0
    prev = np.where(at > 0, chunk[np.maximum(at - 1, 0)], before)
    last = at == chunk.size - 1
    nxt = chunk[np.minimum(at + 1, chunk.size - 1)]
    closes = np.isin(nxt, _CLOSES) & ~last
    return int(np.count_nonzero(~np.isin(prev, _OPENS) & ~closes))


def scan_bytes(path: Path, hashes: LandingHashes) -> FileStats:
    """Hash and count a file in one pass (run beside polars reading the same file); the
    digest is remembered in `hashes`."""
    key = identity(path)
    digest = hashlib.sha256()
    size = newlines = commas = quotes = stray = 0
    last = ord("\n")  # a file starts as a line does
    buf = bytearray(CHUNK)
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(memoryview(buf)[:n])
            # numpy counts a byte about four times as fast as bytes.count
            chunk = np.frombuffer(buf, np.uint8, n)
            newlines += int(np.count_nonzero(chunk == ord("\n")))
            commas += int(np.count_nonzero(chunk == ord(",")))
            quotes += int(np.count_nonzero(chunk == ord('"')))
            stray += stray_quotes(chunk, last)
            size, last = size + n, int(chunk[-1])
    sha256 = hashes.remember(key, digest.hexdigest())
    ends = size > 0 and last == ord("\n")
    return FileStats(sha256, size, newlines, commas, quotes, ends, stray)


def utf8_error(path: Path) -> str | None:
    """Why the file is not UTF-8 (the first bad byte and its offset), or None if it is."""
    offset, tail = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
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


def delivery_fingerprint(
    landing: Path, source: str, extract_date: date, hashes: LandingHashes | None = None
) -> str:
    """A hash of the contents of the delivery's contract files (missing ones included);
    digests already in `hashes` are not computed again.

    Equal to the ``fingerprint`` in the load record when the delivery loaded is the one in
    landing now: a changed value means the night was replayed with different files.
    """
    folder = require_complete(landing, source, extract_date)
    hashes = hashes or LandingHashes()
    digests = {}
    for obj in objects_of(source):
        path = folder / obj.filename
        # a refused entry (a link, a device, a folder) is never read: like a missing file,
        # it has no digest (as in the load record of the load that rejected it)
        readable = file_problem(landing, path) is None and path.is_file()
        digests[obj.filename] = hashes.sha256(path) if readable else None
    return fingerprint(digests)


def fingerprint(hashes: dict[str, str | None]) -> str:
    text = "".join(f"{name}:{sha or 'missing'}\n" for name, sha in sorted(hashes.items()))
    return hashlib.sha256(text.encode()).hexdigest()
