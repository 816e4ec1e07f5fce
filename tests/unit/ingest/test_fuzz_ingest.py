"""A property-based test of the ingest over hostile deliveries (issue 11).

Each case takes a well-formed landing file (the demo generator's, or a small hand-made
one) and damages it: truncates it, re-encodes it, inserts bytes and control characters,
duplicates, shuffles and drops lines and columns, breaks the quoting or the JSON. Whatever
comes in, the ingest gives a verdict:

- it never raises (no traceback): the file loads, with bad rows in quarantine, or is
  rejected whole with a one-line reason;
- rows read = rows loaded + rows quarantined, and the lake holds exactly that many rows
  in the raw partition and in the quarantine;
- no more rows are read than the file has lines.

`make fuzz` runs thousands of cases; the default lane runs a fixed-seed few dozen.
"""

from __future__ import annotations

import functools
import json
import tempfile
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from rapport.contract import SourceObject, get_object
from rapport.generate import generate
from rapport.ingest import ingest_object
from rapport.ingest.lake import QUARANTINE, RAW, partition
from rapport.safe_output import printable
from tests.unit.ingest.hostile_files import account_line, accounts, org_line

NIGHT = date(2026, 9, 1)
OBJECTS = [
    get_object("crm", "accounts"),
    get_object("crm", "contacts"),
    get_object("surveys", "responses"),
    get_object("support", "tickets"),
    get_object("support", "organizations"),
]
NASTY = [
    b"\x00",
    b"\r",
    b"\n",
    b"\r\n",
    b'"',
    b",",
    b";",
    b"\t",
    b"\x1b[2J",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"\\",
    b"\\ud800",
    b"1e400",
    b"NaN",
    b"\xe2\x80\xae",
    b"\x7f",
    b" ",
    b"=cmd|' /C calc'!A0",
    b"<script>",
    b'"id": 1, ',
]


@functools.cache
def generated() -> Path:
    """The demo generator's landing for one night, made once per test session."""
    out = Path(tempfile.mkdtemp(prefix="rapport-fuzz-")) / "landing"
    generate(out, 12, NIGHT, 1, 11, labels=out.parent / "labels.csv")
    return out


def base_file(obj: SourceObject, handmade: bool) -> bytes:
    if handmade and obj.name == "accounts":
        return accounts(*(account_line(i) for i in range(1, 6)))
    if handmade and obj.name == "organizations":
        return "".join(org_line(i) + "\n" for i in range(1, 6)).encode()
    return (generated() / obj.source / f"dt={NIGHT}" / obj.filename).read_bytes()


# --- mutations: each takes the file's bytes and a draw ----------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(
        st.sampled_from(
            [
                "truncate",
                "insert",
                "reencode",
                "dup_line",
                "drop_line",
                "shuffle",
                "drop_column",
                "dup_column",
                "quote",
                "json",
                "blank_lines",
                "replace_line",
            ]
        )
    )
    lines = _lines(data)
    pos = draw(st.integers(0, max(len(data), 1)))
    if kind == "truncate":
        return data[:pos]
    if kind == "insert":
        chunk = draw(st.one_of(st.sampled_from(NASTY), st.binary(min_size=1, max_size=8)))
        return data[:pos] + chunk + data[pos:]
    if kind == "reencode":
        text = data.decode("utf-8", "replace")
        codec = draw(st.sampled_from(["utf-16", "utf-16-le", "latin-1", "cp1252", "utf-8-sig"]))
        return text.encode(codec, "replace")
    if not lines:
        return data
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "dup_line":
        return b"".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])
    if kind == "drop_line":
        return b"".join(lines[:i] + lines[i + 1 :])
    if kind == "shuffle":
        return b"".join(draw(st.permutations(lines)))
    if kind == "blank_lines":
        return b"".join(lines[:i] + [b"\n"] * draw(st.integers(1, 3)) + lines[i:])
    if kind == "replace_line":
        return b"".join(lines[:i] + [draw(st.binary(max_size=40)) + b"\n"] + lines[i + 1 :])
    if kind in ("drop_column", "dup_column"):
        col = draw(st.integers(0, 25))

        def edit(line: bytes) -> bytes:
            cells = line.rstrip(b"\r\n").split(b",")
            if col < len(cells):
                cells[col : col + 1] = [] if kind == "drop_column" else [cells[col]] * 2
            return b",".join(cells) + line[len(line.rstrip(b"\r\n")) :]

        return b"".join(edit(line) for line in lines)
    if kind == "quote":
        line = lines[i]
        at = draw(st.integers(0, len(line)))
        lines[i] = line[:at] + draw(st.sampled_from([b'"', b'""', b'"x"y', b',"'])) + line[at:]
        return b"".join(lines)
    # kind == "json": damage one line's JSON
    line = lines[i]
    damage = draw(
        st.sampled_from(
            [
                line.replace(b"{", b"", 1),
                line.replace(b"}", b"", 1),
                line.replace(b":", b"", 1),
                line.replace(b'"id":', b'"id": 1, "id":', 1),
                line.replace(b'"', b"", 1),
                b"[" * 5000 + b"]" * 5000 + b"\n",
                b'{"id": 1e400, "updated_at": "2026-09-01T09:00:00Z"}\n',
                b'{"id": 2, "name": "\\udfff", "updated_at": "2026-09-01T09:00:00Z"}\n',
                json.dumps({"id": [1, {"x": None}]}).encode() + b"\n",
                b"null\n",
                b'"a string"\n',
            ]
        )
    )
    lines[i] = damage
    return b"".join(lines)


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[SourceObject, bytes]:
    obj = draw(st.sampled_from(OBJECTS))
    data = base_file(obj, handmade=draw(st.booleans()))
    for _ in range(draw(st.integers(1, 3))):
        data = draw(mutation(data))
    return obj, data


def _rows(folder: Path) -> int:
    path = folder / "part-0.parquet"
    return pl.scan_parquet(path).select(pl.len()).collect().item() if path.exists() else 0


@given(deliveries())
def test_every_hostile_delivery_gets_a_verdict_and_loses_no_row(
    case: tuple[SourceObject, bytes],
) -> None:
    obj, data = case
    with tempfile.TemporaryDirectory(prefix="rapport-fuzz-case-") as tmp:
        landing, lake = Path(tmp) / "landing", Path(tmp) / "lake"
        folder = landing / obj.source / f"dt={NIGHT}"
        folder.mkdir(parents=True)
        (folder / obj.filename).write_bytes(data)
        (folder / "_SUCCESS").touch()

        load = ingest_object(landing, lake, obj, NIGHT)  # never raises

        assert load.rows_read == load.rows_loaded + load.rows_quarantined
        assert load.rows_read <= data.count(b"\n") + 1
        quarantined = _rows(partition(lake, QUARANTINE, obj, NIGHT))
        if load.rejected is not None:
            assert "\n" not in load.rejected and load.rejected == printable(load.rejected)
            assert load.rows_loaded == 0 and quarantined == 1  # one row: the file's verdict
            return
        assert _rows(partition(lake, RAW, obj, NIGHT)) == load.rows_loaded
        assert quarantined == load.rows_quarantined
