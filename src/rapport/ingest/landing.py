"""The landing zone: where a night's delivery is, whether it is complete, what its files hold."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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
    if not landing.is_dir():
        raise IngestError(f"landing folder {landing} does not exist")


def delivery_dir(landing: Path, source: str, extract_date: date) -> Path:
    return landing / source / f"dt={extract_date.isoformat()}"


def deliveries_bytes(landing: Path, source: str, nights: list[date]) -> int:
    """The size of a source's delivered files for these nights (what its ingest would read)."""
    folders = (delivery_dir(landing, source, night) for night in nights)
    return sum(f.stat().st_size for d in folders if d.is_dir() for f in d.iterdir() if f.is_file())


def relative_file(obj: SourceObject, extract_date: date) -> str:
    """The file's path relative to the landing root, as recorded in lineage."""
    return f"{obj.source}/dt={extract_date.isoformat()}/{obj.filename}"


def delivery_is_complete(landing: Path, source: str, extract_date: date) -> bool:
    """A delivery may be read once its folder holds ``_SUCCESS``."""
    check_source(source)
    _check_root(landing)
    return (delivery_dir(landing, source, extract_date) / SUCCESS).is_file()


def require_complete(landing: Path, source: str, extract_date: date) -> Path:
    """The delivery folder, or an IngestError naming it when it must not be read."""
    if not delivery_is_complete(landing, source, extract_date):
        folder = delivery_dir(landing, source, extract_date)
        if not folder.is_dir():
            raise IngestError(f"delivery folder {folder} does not exist")
        raise IngestError(f"delivery folder {folder} is not complete: it has no {SUCCESS}")
    return delivery_dir(landing, source, extract_date)


def complete_deliveries(landing: Path, source: str) -> list[date]:
    """Extract dates of the source's complete deliveries, oldest first."""
    check_source(source)
    _check_root(landing)
    root = landing / source
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        m = _DT.fullmatch(folder.name)
        if m and (folder / SUCCESS).is_file():
            try:
                found.append(date.fromisoformat(m.group(1)))
            except ValueError:
                continue  # dt=2026-13-45: not a delivery folder
    return sorted(found)


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


def scan_bytes(path: Path, hashes: LandingHashes) -> FileStats:
    """Hash and count a file in one pass (run beside polars reading the same file); the
    digest is remembered in `hashes`."""
    key = identity(path)
    digest = hashlib.sha256()
    size = newlines = commas = quotes = 0
    last = 0
    buf = bytearray(CHUNK)
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(memoryview(buf)[:n])
            # numpy counts a byte about four times as fast as bytes.count
            chunk = np.frombuffer(buf, np.uint8, n)
            newlines += int(np.count_nonzero(chunk == ord("\n")))
            commas += int(np.count_nonzero(chunk == ord(",")))
            quotes += int(np.count_nonzero(chunk == ord('"')))
            size, last = size + n, int(chunk[-1])
    sha256 = hashes.remember(key, digest.hexdigest())
    return FileStats(sha256, size, newlines, commas, quotes, last == ord("\n"))


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
        digests[obj.filename] = hashes.sha256(path) if path.is_file() else None
    return fingerprint(digests)


def fingerprint(hashes: dict[str, str | None]) -> str:
    text = "".join(f"{name}:{sha or 'missing'}\n" for name, sha in sorted(hashes.items()))
    return hashlib.sha256(text.encode()).hexdigest()
