"""Landing files as strings: every value a string, with the physical line each record starts on.

Each reader has a fast path (polars, streaming) and a slow path in Python, used only for
a file the fast path cannot read faithfully (ragged CSV rows, broken JSON lines). Both
produce a ``Parsed``: the frame that ``cast`` checks, plus the rows refused while reading.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from rapport.contract import Column, SourceObject
from rapport.ingest.cast import label
from rapport.ingest.landing import FileStats, stray_quotes, utf8_error
from rapport.ingest.results import FileRejected

RECORD_CHARS = 2000
BOM = "\ufeff"
# The longest value the strict CSV reader takes (Python's csv module stops at 128 KiB by
# default, which a long description or survey comment can pass); a quote that never
# closes is still cut off here instead of swallowing the rest of a large file.
FIELD_LIMIT = 16 * 1024 * 1024
# rows refused while reading, as the slow paths write them
_REFUSED_SCHEMA = {
    "_line": pl.Int64,
    "_column": pl.String,
    "_fault": pl.String,
    "_record": pl.String,
}


@dataclass(frozen=True)
class Parsed:
    """A file read as strings.

    ``frame`` holds the contract columns (strings, under ``Column.name``), ``_line`` and
    ``_fault`` (a reason found while reading, or null); ``record`` rebuilds a row's text
    for the quarantine; ``totals`` are aggregates the caller checks against the file's
    bytes; ``refused`` holds rows the reader could not turn into columns at all.
    """

    frame: pl.LazyFrame
    record: pl.Expr
    totals: tuple[pl.Expr, ...] = (pl.len().alias("rows"),)
    refused: pl.LazyFrame | None = None
    refused_rows: int = 0


# --- CSV and Qualtrics CSV ------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """The header record(s) of a CSV file and the bytes they take."""

    names: tuple[str, ...]  # contract names as they are; other columns as __extra_<n>
    text: tuple[str, ...]  # the free-text columns: strings without a list of values, extras
    lines: int  # physical lines, counting newlines inside quoted header values
    size: int
    newlines: int
    commas: int
    quotes: int
    other_delimiter: str | None = None  # the header is one field holding this separator
    stray_quotes: int = 0  # as landing.stray_quotes counts them in the header's bytes


def read_header(path: Path, obj: SourceObject) -> Header:
    """Parse the header record(s): one for CRM CSV, three for a Qualtrics export."""
    records = 3 if obj.fmt == "qualtrics_csv" else 1
    csv.field_size_limit(FIELD_LIMIT)
    consumed: list[bytes] = []
    rows: list[list[str]] = []
    with path.open("rb") as fh:

        def lines() -> Iterator[str]:
            for raw in fh:
                text = raw.decode("utf-8")
                consumed.append(raw)
                yield text.removeprefix(BOM) if len(consumed) == 1 else text

        try:
            for row in csv.reader(lines()):
                rows.append(row)
                if len(rows) == records:
                    break
        except UnicodeDecodeError:
            raise FileRejected(utf8_error(path) or "file is not UTF-8") from None
        except csv.Error as e:
            if consumed and b"\r" in consumed[0].rstrip(b"\r\n"):
                raise FileRejected(
                    "line 1: lines end in a lone CR (classic Mac line endings): "
                    "save the file with LF or CRLF line endings"
                ) from None
            raise FileRejected(f"the header is not valid CSV: {e}") from None
    if not rows or not any(v.strip() for v in rows[0]):
        raise FileRejected("file is empty: it has no header row")
    if len(rows) < records:
        raise FileRejected(f"file has {len(rows)} header rows, a Qualtrics export has {records}")
    if obj.fmt == "qualtrics_csv" and not _is_import_ids(rows[2]):
        raise FileRejected(
            'the third header row does not hold Qualtrics import ids like {"ImportId":"QID1"}'
        )
    wanted = {c.name: c for c in obj.columns}
    other = next((d for d in (";", "\t", "|") if len(rows[0]) == 1 and d in rows[0][0]), None)
    # names in any case (`arr__c`, as a warehouse loader writes Salesforce's `ARR__c`)
    by_folded = {name.casefold(): name for name in wanted}
    names = tuple(
        by_folded.get(n.strip().casefold(), f"__extra_{i}") for i, n in enumerate(rows[0])
    )
    return Header(
        names=names,
        text=tuple(n for n in names if n not in wanted or _is_free_text(wanted[n])),
        lines=len(consumed),
        size=sum(len(b) for b in consumed),
        newlines=sum(b.count(b"\n") for b in consumed),
        commas=sum(b.count(b",") for b in consumed),
        quotes=sum(b.count(b'"') for b in consumed),
        other_delimiter=other,
        stray_quotes=stray_quotes(np.frombuffer(b"".join(consumed), np.uint8)),
    )


def _is_free_text(c: Column) -> bool:
    return c.kind == "string" and c.values is None


def _is_import_ids(row: list[str]) -> bool:
    try:
        first = json.loads(row[0]) if row else None
    except (ValueError, RecursionError):  # RecursionError: `[[[[…` nested past Python's limit
        return False
    return isinstance(first, dict) and "ImportId" in first


def header_problem(header: Header, obj: SourceObject) -> str | None:
    """Why the header makes the file invalid: a listed column missing or repeated."""
    missing = [c.name for c in obj.columns if c.name not in header.names]
    if missing and header.other_delimiter is not None:
        shown = {"\t": "tab", ";": "semicolon", "|": "pipe"}[header.other_delimiter]
        return (
            f"the header is one column holding {shown}s: the file looks {shown}-delimited, "
            "the contract's delimiter is a comma"
        )
    if len(missing) == 1:
        return f"required column {missing[0]} is missing"
    if missing:
        return f"required columns {', '.join(missing)} are missing"
    for c in obj.columns:
        if (n := header.names.count(c.name)) > 1:
            return f"column {c.name} appears {n} times in the header"
    return None


def sample_needs_counts(path: Path, header: Header, records: int = 2000) -> bool:
    """Whether the first records show that ``csv_fast`` should count inside values.

    It must when values hold newlines (line numbers), or when the last column is empty
    in some rows while values hold commas or quotes (then only the commas prove that
    no row was short). Reading a sample first saves reading the whole file twice.
    """
    with path.open(encoding="utf-8", errors="replace", newline="\n") as fh:
        for _ in range(header.lines):
            fh.readline()
        try:
            rows = list(itertools.islice(csv.reader(fh), records))
        except csv.Error:
            return True
    if any("\n" in v for row in rows for v in row):
        return True
    short_or_empty = any(len(row) < len(header.names) or not row[-1] for row in rows if row)
    return short_or_empty and any("," in v or '"' in v for row in rows for v in row)


def csv_fast(path: Path, header: Header, *, count_inside: bool) -> Parsed:
    """Polars reads the records; ``totals`` let ``csv_consistent`` check it afterwards.

    Without ``count_inside``, ``_line`` assumes no record spans lines. With it, the
    newlines and commas inside free-text values are counted (that costs time), which
    gives right line numbers and proves that no row was short. A typed or listed value
    holding a newline or a comma is a fault anyway; it makes the counts disagree with
    the bytes, and the slow path then reads the file exactly.
    """
    names = list(header.names)
    frame = pl.scan_csv(
        path,
        has_header=False,
        skip_lines=header.lines,
        schema=dict.fromkeys(names, pl.String),
        null_values=[""],
        row_index_name="_row",
        raise_if_empty=False,
    )
    line = pl.col("_row").cast(pl.Int64) + (header.lines + 1)
    totals = [pl.len().alias("rows"), pl.col(names[-1]).null_count().alias("last_nulls")]
    if count_inside:
        newlines = [pl.col(n).str.count_matches("\n", literal=True) for n in header.text]
        frame = frame.with_columns(
            pl.sum_horizontal(newlines).fill_null(0).cast(pl.Int64).alias("_nl")
        )
        line = line + pl.col("_nl").cum_sum() - pl.col("_nl")
        commas = [pl.col(n).str.count_matches(",", literal=True).sum() for n in header.text]
        # a line inside a value that holds a whole record's commas: a stray quote swallowed it
        whole = f"\n(?:[^\n,]*,){{{len(names) - 1}}}"
        swallowed = pl.any_horizontal([pl.col(n).str.contains(whole) for n in header.text])
        totals += [
            pl.col("_nl").sum().alias("newlines"),
            pl.sum_horizontal(commas).alias("commas"),
            swallowed.fill_null(False).sum().alias("swallowed"),
        ]
    frame = frame.with_columns(line.alias("_line"), pl.lit(None, pl.String).alias("_fault"))
    return Parsed(frame, _csv_record(names), tuple(totals))


def csv_consistent(header: Header, stats: FileStats, totals: dict[str, int]) -> bool:
    """Whether the bytes of the file agree with what polars read.

    The newlines must be one per record plus those inside values, or the line numbers
    would be wrong. Polars fills a short row with nulls without a word; a short row has
    a null last column, so if none has, no row was short. Otherwise the commas of the
    file must be ``rows * (columns - 1)`` plus those inside values.
    """
    rows = totals["rows"]
    if totals.get("swallowed"):
        return False  # only the slow path tells a quoted newline from a stray quote
    if stats.stray_quotes > header.stray_quotes:
        return False  # `"The "Big" Deal"`: polars would keep `The Big Deal` without a word
    data_lines = 0
    if stats.size > header.size:
        data_lines = stats.newlines - header.newlines + (0 if stats.ends_with_newline else 1)
    if rows + totals.get("newlines", 0) != data_lines:
        return False
    if totals["last_nulls"] == 0:
        return True
    separators = rows * (len(header.names) - 1)
    if "commas" in totals:
        return stats.commas - header.commas == separators + totals["commas"]
    return stats.quotes == header.quotes and stats.commas - header.commas == separators


def csv_repaired(path: Path, header: Header, folder: Path) -> Parsed:
    """The slow path: Python's csv module reads record by record, strictly.

    Physical lines reconcile with records: a record may span lines only through a quoted
    newline inside a free-text column, and only when none of the lines it swallows reads
    as a whole record by itself. Otherwise its first line is refused alone and reading
    starts again on the next line, so a stray quote never merges records. Rows with the
    wrong number of fields or broken quoting are refused; the others are written to a
    well-formed CSV (with their line) that polars then reads.
    """
    csv.field_size_limit(FIELD_LIMIT)
    width = len(header.names)
    free_text = {i for i, n in enumerate(header.names) if n in header.text}
    good, bad = folder / "repaired.csv", folder / "refused.csv"
    refused = 0
    with (
        path.open(encoding="utf-8", newline="\n") as fh,
        good.open("w", encoding="utf-8", newline="") as good_fh,
        bad.open("w", encoding="utf-8", newline="") as bad_fh,
    ):
        for _ in range(header.lines):
            fh.readline()
        good_out = csv.writer(good_fh, lineterminator="\n")
        bad_out = csv.writer(bad_fh, lineterminator="\n")
        pending: list[str] = []  # lines read ahead and given back
        line = header.lines + 1
        try:
            while True:
                first = pending.pop() if pending else fh.readline()
                if not first:
                    break
                fields, taken, problem = _record_at(first, pending, fh, width, free_text)
                if problem is None and not fields:
                    line += 1  # a blank line: no record
                    continue
                if problem is None and len(fields) != width:
                    problem = f"row has {len(fields)} fields, header has {width}"
                if problem is None:
                    good_out.writerow([*fields, line])
                    line += len(taken)
                    continue
                # refuse the first line alone; give the others back to be read again
                pending.extend(reversed(taken[1:]))
                text = printable_record(_without_eol(first))
                bad_out.writerow([line, "", problem, text[:RECORD_CHARS]])
                refused += 1
                line += 1
        except UnicodeDecodeError:
            raise FileRejected(utf8_error(path) or "file is not UTF-8") from None
    frame = pl.scan_csv(
        good,
        has_header=False,
        schema={**dict.fromkeys(header.names, pl.String), "_line": pl.Int64},
        null_values=[""],
        raise_if_empty=False,
    ).with_columns(pl.lit(None, pl.String).alias("_fault"))
    return Parsed(
        frame, _csv_record(list(header.names)), refused=_refused(bad), refused_rows=refused
    )


def _record_at(
    first: str, pending: list[str], fh: Any, width: int, free_text: set[int]
) -> tuple[list[str], list[str], str | None]:
    """The record starting on line ``first``: (fields, the lines it took, why it is refused)."""
    taken = [first]

    def lines() -> Iterator[str]:
        yield first
        while True:
            more = pending.pop() if pending else fh.readline()
            if not more:
                return
            taken.append(more)
            yield more

    try:
        fields = next(csv.reader(lines(), strict=True), [])
    except csv.Error as e:
        return [], taken, _quoting_problem(str(e))
    if len(taken) > 1:
        spans = [i for i, v in enumerate(fields) if "\n" in v or "\r" in v]
        if len(fields) != width or not set(spans) <= free_text:
            return fields, taken, "a quote opened on this line is not closed on it"
        if any(_reads_as_record(t, width) for t in taken[1:]):
            return fields, taken, "a quote opened on this line swallows the lines after it"
    return fields, taken, None


def _quoting_problem(error: str) -> str:
    if "unexpected end of data" in error:
        return "a quote opened on this line is never closed"
    if "expected after" in error:
        return "a quote closes in the middle of a field"
    return f"broken quoting: {error}"


def _reads_as_record(text: str, width: int) -> bool:
    try:
        return len(next(csv.reader([text]), [])) == width
    except csv.Error:
        return False


def printable_record(text: str) -> str:
    """A record's text as the quarantine keeps it: lone surrogates replaced."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _csv_record(names: list[str]) -> pl.Expr:
    """A row written back as CSV (RFC 4180 quoting where needed)."""
    fields = []
    for n in names:
        v = pl.col(n)
        quoted = pl.lit('"') + v.str.replace_all('"', '""', literal=True) + pl.lit('"')
        fields.append(pl.when(v.str.contains('[",\r\n]')).then(quoted).otherwise(v).fill_null(""))
    return pl.concat_str(fields, separator=",")


def _without_eol(text: str) -> str:
    return text.removesuffix("\n").removesuffix("\r")


def _refused(path: Path) -> pl.LazyFrame:
    return pl.scan_csv(
        path, has_header=False, schema=_REFUSED_SCHEMA, null_values=[""], raise_if_empty=False
    )


# --- JSON Lines ---------------------------------------------------------------------


def _json_dtype(obj: SourceObject) -> pl.Struct:
    fields: dict[str, Any] = {}
    for c in obj.columns:
        leaf = pl.List(pl.String) if c.kind == "string_list" else pl.String
        if c.path:
            fields.setdefault(c.path[0], {})[c.path[1]] = leaf
        else:
            fields[c.name] = leaf
    return pl.Struct({k: pl.Struct(v) if isinstance(v, dict) else v for k, v in fields.items()})


def _json_value(c: Column) -> pl.Expr:
    value = pl.col("_json")
    for step in c.path or (c.name,):
        value = value.struct.field(step)
    return value.alias(c.name)


def starts_with_bom(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(3) == BOM.encode()


def jsonl_fast(path: Path, obj: SourceObject, *, bom: bool) -> Parsed:
    """Polars reads the lines and decodes them against the contract's shape.

    Lines are numbered after they are decoded: numbering first makes polars decode on one
    thread. ``totals`` count the lines only the slow path can judge exactly (a UTF-16
    surrogate escape, a contract key written twice): ``jsonl_consistent`` checks them.
    """
    text = pl.col("_text").str.strip_chars_start(BOM) if bom else pl.col("_text")
    frame = pl.scan_lines(path, name="_text").with_columns(
        text, text.str.contains(_BLANK).alias("_blank")
    )
    decoded = pl.when(~pl.col("_blank")).then("_text").str.json_decode(_json_dtype(obj))
    frame = frame.with_columns(decoded.alias("_json")).with_row_index("_row")
    frame = frame.filter(~pl.col("_blank")).with_columns(
        (pl.col("_row").cast(pl.Int64) + 1).alias("_line")
    )
    totals = (
        pl.len().alias("rows"),
        pl.col("_text").str.contains(_SURROGATE_ESCAPE).sum().alias("surrogates"),
        _repeats(obj).sum().alias("repeats"),
        pl.col("_text").str.contains(_INEXACT_NUMBER).sum().alias("inexact_numbers"),
        pl.col("_text").str.contains(_ESCAPED_KEY).sum().alias("escaped_keys"),
    )
    return Parsed(_decoded(frame, obj), pl.col("_text"), totals)


def jsonl_consistent(path: Path, obj: SourceObject, totals: dict[str, int]) -> bool:
    """Whether the fast path read every line as the slow path would: no surrogate escape
    (the slow path refuses lone ones), no number polars would round through a float
    (``1e3``, 16 digits or more: the slow path keeps the text), no key name written with
    escapes (``"\\u0069d"`` is ``id``), and no contract key written twice with different
    values (json_decode keeps the first, json_path_match the last: they must agree)."""
    if totals.get("surrogates") or totals.get("inexact_numbers") or totals.get("escaped_keys"):
        return False
    if not totals.get("repeats"):
        return True
    text = pl.col("_text").str.strip_chars_start(BOM)
    differs = [
        _json_value(c).ne_missing(text.str.json_path_match("$." + ".".join(c.path or (c.name,))))
        for c in obj.columns
        if c.kind != "string_list"
    ]
    found = (
        pl.scan_lines(path, name="_text")
        .filter(_repeats(obj))
        .with_columns(text.str.json_decode(_json_dtype(obj)).alias("_json"))
        .select(pl.any_horizontal(differs).sum())
        .collect()
        .item()
    )
    return not found


def _repeats(obj: SourceObject) -> pl.Expr:
    """A line where a contract key name appears more than once (at any depth)."""
    return pl.any_horizontal(
        [pl.col("_text").str.count_matches(f'"{k}"\\s*:') > 1 for k in _contract_keys(obj)]
    )


_SURROGATE_ESCAPE = r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
# JSON's whitespace only: a line of other control characters is a line, not a blank
_BLANK = r"^[ \t\r]*$"
# a number with an exponent or 16 digits and more, wherever it stands (a string that looks
# like one only sends the file to the slow path)
_INEXACT_NUMBER = r"[:\[,]\s*-?(?:\d+(?:\.\d*)?[eE]|[\d.]{16})"
# a key whose name holds an escape (possibly a contract name in disguise)
_ESCAPED_KEY = r'"(?:[^"\\]|\\.)*\\u[0-9a-fA-F]{4}(?:[^"\\]|\\.)*"\s*:'


def _contract_keys(obj: SourceObject) -> list[str]:
    """Every key name on a contract path (top-level names, parents and leaves)."""
    return sorted({step for c in obj.columns for step in (c.path or (c.name,))})


def _decoded(frame: pl.LazyFrame, obj: SourceObject) -> pl.LazyFrame:
    fault = pl.when(pl.col("_json").is_null()).then(pl.lit("line is not a JSON object: it is null"))
    return frame.select(
        "_line", "_text", *(_json_value(c) for c in obj.columns), fault.alias("_fault")
    )


def jsonl_checked(path: Path, obj: SourceObject, folder: Path, *, bom: bool) -> Parsed:
    """The slow path: Python parses each line; lines that cannot be turned into the
    contract's shape are refused with the reason. The others are written to a CSV of
    (line, text, the contract's values only, as JSON strings) that polars then decodes, so
    nothing polars cannot read (huge numbers, deep nesting) reaches it."""
    good, bad = folder / "checked.csv", folder / "refused.csv"
    refused = 0
    with (
        path.open(encoding="utf-8", newline="\n") as fh,
        good.open("w", encoding="utf-8", newline="") as good_fh,
        bad.open("w", encoding="utf-8", newline="") as bad_fh,
    ):
        good_out = csv.writer(good_fh, lineterminator="\n")
        bad_out = csv.writer(bad_fh, lineterminator="\n")
        for number, raw in enumerate(fh, start=1):
            text = _without_eol(raw.removeprefix(BOM) if bom and number == 1 else raw)
            if not text.strip(" \t\r"):
                continue
            value, fault = _json_values(text, obj)
            if fault is not None:
                bad_out.writerow([number, fault[0] or "", fault[1], text[:RECORD_CHARS]])
                refused += 1
            else:
                good_out.writerow([number, text, json.dumps(value)])
    frame = pl.scan_csv(
        good,
        has_header=False,
        schema={"_line": pl.Int64, "_text": pl.String, "_norm": pl.String},
        raise_if_empty=False,
    ).with_columns(pl.col("_norm").str.json_decode(_json_dtype(obj)).alias("_json"))
    return Parsed(
        _decoded(frame, obj), pl.col("_text"), refused=_refused(bad), refused_rows=refused
    )


class _Object(dict):
    """A JSON object (the last value of a repeated key, as json_path_match reads it) that
    keeps the first values too (as polars' json_decode reads them) when a key repeats."""

    first: dict[str, Any] | None = None


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    value = _Object(pairs)
    if len(value) != len(pairs):
        first: dict[str, Any] = {}
        for k, v in pairs:
            first.setdefault(k, v)
        value.first = first
    return value


def _at(value: Any, steps: tuple[str, ...], *, first: bool) -> Any:
    for step in steps:
        if not isinstance(value, dict):
            return None
        holder = value.first if first and getattr(value, "first", None) is not None else value
        value = holder.get(step)
    return value


class _Number(str):
    """A JSON number kept as its text (no float rounding, no limit on digits)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _json_values(text: str, obj: SourceObject) -> tuple[dict, tuple[str | None, str] | None]:
    """The contract's values of a line as strings, or (column, reason) when the line
    cannot be turned into the contract's shape."""
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object,
            parse_float=_Number,
            parse_int=_Number,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as e:
        return {}, (None, f"line is not valid JSON: {e.msg} at column {e.colno}")
    except ValueError as e:  # NaN, Infinity
        return {}, (None, f"line is not valid JSON: {e}")
    except RecursionError:
        return {}, (None, "line nests arrays or objects too deeply to be read")
    if not isinstance(value, dict):
        return {}, (None, f"line is not a JSON object: it is {_json_type(value)}")
    out: dict[str, Any] = {}
    for c in obj.columns:
        steps = c.path or (c.name,)
        if c.kind != "string_list" and (
            _as_text(_at(value, steps, first=True)) != _as_text(_at(value, steps, first=False))
        ):
            return {}, (label(c), f"{label(c)}: the key appears twice with different values")
        holder, into = value, out
        if c.path:
            holder = value.get(c.path[0])
            if holder is None:
                continue
            if not isinstance(holder, dict):
                return {}, (c.path[0], f"{c.path[0]}: {_short(holder)} is not an object")
            into = out.setdefault(c.path[0], {})
        key = c.path[-1] if c.path else c.name
        v = holder.get(key)
        if c.kind == "string_list":
            items = v if isinstance(v, list) else [v]
            if any(isinstance(x, dict | list) for x in items):
                return {}, (label(c), f"{label(c)}: {_short(v)} is not a list of strings")
            if v is not None:
                into[key] = [_as_text(x) for x in items]
        elif isinstance(v, dict | list):
            return {}, (label(c), f"{label(c)}: {_short(v)} is not a single value")
        else:
            into[key] = _as_text(v)
        if _has_lone_surrogate(into.get(key)):
            return {}, (label(c), f"{label(c)}: a string holds a lone UTF-16 surrogate")
    return out, None


def _as_text(v: Any) -> str | None:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, dict | list):
        return json.dumps(v, separators=(",", ":"))
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _has_lone_surrogate(v: Any) -> bool:
    texts = v if isinstance(v, list) else [v]
    for t in texts:
        if isinstance(t, str):
            try:
                t.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, _Number):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a boolean" if isinstance(value, bool) else "a number"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 100 else text[:97] + "..."


# --- rejected files -------------------------------------------------------------------


def count_records(path: Path, obj: SourceObject, header: Header | None) -> int:
    """How many records a refused file holds, as best it can be told (0 if it cannot)."""
    try:
        if obj.fmt == "jsonl":
            with path.open("rb") as fh:
                return sum(1 for raw in fh if raw.strip(b" \t\r\n"))
        if header is None:
            return 0
        return (
            pl.scan_csv(
                path,
                has_header=False,
                skip_lines=header.lines,
                schema=dict.fromkeys(header.names, pl.String),
                encoding="utf8-lossy",
                truncate_ragged_lines=True,
                raise_if_empty=False,
            )
            .select(pl.len())
            .collect()
            .item()
        )
    except (OSError, pl.exceptions.PolarsError):
        return 0
