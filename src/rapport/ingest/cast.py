"""Contract kinds as polars expressions: string columns in, typed columns and row faults out.

A frame entering here holds each contract column as strings under its source name
(``Column.name``; ``tags`` as a list of strings), plus ``_line`` and ``_fault`` (a
reason found while reading, or null). Faults are found in two steps: a cheap boolean
per row over the whole file, then the human reason, computed only for the faulty rows.
"""

from __future__ import annotations

import polars as pl

from rapport.contract import DATE_RANGE, MAX_MAGNITUDE, Column, Fmt, SourceObject
from rapport.salesforce_ids import case_safe

# Datetimes, per file format: the exact shape the system writes (polars parses a fixed
# format like this about 4x faster), the general ISO 8601 form with any fraction and
# offset (read only where the exact shape did not match), and an example for messages. A
# stamp with no offset is read only in Qualtrics' own shape, where the contract says UTC.
_ISO = "%Y-%m-%dT%H:%M:%S%.f%#z"
_DATETIME: dict[Fmt, tuple[str, str, str]] = {
    "csv": ("%Y-%m-%dT%H:%M:%S.000+0000", _ISO, "2026-11-22T14:03:07.000+0000"),
    "jsonl": ("%Y-%m-%dT%H:%M:%SZ", _ISO, "2026-11-22T14:03:07Z"),
    "qualtrics_csv": ("%Y-%m-%d %H:%M:%S", _ISO, "2026-11-22 14:03:07"),  # naive = UTC
}
# booleans, in every file format: the usual spellings of true and of false, in any case and
# with surrounding blanks (docs/extracts.md, "Value forms")
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_VALUE_CHARS = 100  # how much of a bad value a reason quotes
# a date written as midnight of that day, with any fraction and offset
# (`2026-11-22T00:00:00.000+0000`): an exporter that keeps dates as datetimes writes this
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"

OK = "_ok"


def label(c: Column) -> str:
    """The column as the source system names it (``satisfaction_rating.score`` when nested)."""
    return ".".join(c.path) if c.path else c.name


def _is_text(c: Column) -> bool:
    """Free text (no listed values, not an identifier): kept as read, blanks and all."""
    return c.kind == "string_list" or (c.kind == "string" and c.values is None and not c.identifier)


def typed_name(c: Column) -> str:
    """Where the typed value of a column lives while a frame is being checked."""
    return c.name if _is_text(c) else f"__typed__{c.raw}"


def _cast(c: Column, fmt: Fmt) -> pl.Expr:
    s = pl.col(c.name)
    match c.kind:
        case "string" if c.identifier:  # ` 001A` is the record `001A`; only blanks is empty
            text = s.str.strip_chars()
            text = pl.when(text != "").then(text)
            return case_safe(text) if c.salesforce_id else text
        case "string":  # a listed value, written in the contract's spelling
            return _listed(c, s)
        case "int" if c.choices:
            return _choice(c, s)
        case "int":  # `501.0` (an exporter that wrote ids as floats) is the integer 501
            whole = s.str.strip_chars().str.replace(r"^([+-]?\d+)\.0*$", "${1}")
            return whole.cast(pl.Int64, strict=False)
        case "float":
            t = s.str.strip_chars().cast(pl.Float64, strict=False)
            return pl.when(t.is_finite()).then(t)
        case "bool":  # when/then streams; replace_strict would gather the whole column
            word = s.str.strip_chars().str.to_lowercase()
            return pl.when(word.is_in(_TRUE)).then(True).when(word.is_in(_FALSE)).then(False)
        case "date":
            fast = s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            rest = pl.when(fast.is_null()).then(s.str.strip_chars())  # mostly null: cheap
            day = rest.str.replace(_MIDNIGHT, "${1}")
            return pl.coalesce(fast, day.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        case "datetime":
            exact, general, _ = _DATETIME[fmt]
            fast = s.str.strptime(pl.Datetime("us"), exact, strict=False)
            rest = pl.when(fast.is_null()).then(s.str.strip_chars())  # mostly null: cheap
            utc = rest.str.strptime(pl.Datetime("us", "UTC"), general, strict=False)
            stamp = pl.coalesce(fast, utc.dt.replace_time_zone(None))
            # a leap second (`23:59:60`, read as the next day's 00:00:00) is the last instant
            # of its own day: the record stays on the night it belongs to
            leap = s.str.contains(":60", literal=True)  # no other valid stamp holds `:60`
            return pl.when(leap).then(stamp - pl.duration(microseconds=1)).otherwise(stamp)
    raise ValueError(f"no cast for kind {c.kind}")


def _listed(c: Column, s: pl.Expr) -> pl.Expr:
    """One of the column's listed values in any case and spacing (`Solved`, ` closed won`),
    as the contract spells it; null when it is none of them."""
    words = s.str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")
    listed = pl.lit(None, dtype=pl.String)
    for value in reversed(c.values or ()):
        listed = pl.when(words == value.lower()).then(pl.lit(value)).otherwise(listed)
    return listed


_CHOICE_NUMBER = r"^(\d+)(?:\.0+)?(?:\s*[-:)]|\.(?:\s|$)|\s*$)"


def _choice(c: Column, s: pl.Expr) -> pl.Expr:
    """A survey answer as its recode value: the number itself (`7`, `7.0`), a choice text
    that starts with it (`10 - Extremely likely`, `7. Likely`), or the choice text alone
    (`Yes`), in any case. `7.5` is none of these: it is refused, never cut to 7."""
    text = s.str.strip_chars()
    leading = text.str.extract(_CHOICE_NUMBER, 1).cast(pl.Int64, strict=False)
    words = text.str.to_lowercase().str.replace_all(r"\s+", " ")
    named = pl.lit(None, dtype=pl.Int64)
    for choice, value in reversed(c.choices or ()):
        named = pl.when(words == choice).then(pl.lit(value, dtype=pl.Int64)).otherwise(named)
    return pl.coalesce(leading, named)


def _expected(c: Column, fmt: Fmt) -> str:
    match c.kind:
        case "int" if c.choices:
            return f"a number or one of {', '.join(choice for choice, _ in c.choices)}"
        case "int":
            return "an integer"
        case "float":
            return "a finite number"
        case "bool":
            return f"a boolean ({'/'.join(_TRUE)} or {'/'.join(_FALSE)})"
        case "date":
            return "a date like 2026-11-22"
        case "datetime":
            return f"a datetime like {_DATETIME[fmt][2]}"
    raise ValueError(f"no parse for kind {c.kind}")


def _faults(c: Column, fmt: Fmt) -> list[tuple[pl.Expr, pl.Expr]]:
    """(is_faulty, reason) pairs for one column, in the order they are reported."""
    s, t = pl.col(c.name), pl.col(typed_name(c))
    shown = s.str.slice(0, _VALUE_CHARS) if c.kind != "string_list" else s
    name = label(c)

    def said(text: str) -> pl.Expr:
        return pl.format(f"{name}: '{{}}' {text}", shown)

    # a typed value of only blanks is empty, as an empty field is; free text keeps its blanks
    as_text = _is_text(c)
    missing = s.is_null() if as_text else s.is_null() | (s.str.strip_chars() == "")
    checks: list[tuple[pl.Expr, pl.Expr]] = []
    if c.values is not None:
        checks.append((~missing & t.is_null(), said(f"is not one of {', '.join(c.values)}")))
    elif not as_text and not c.identifier:
        checks.append((~missing & t.is_null(), said(f"is not {_expected(c, fmt)}")))
    if c.required:
        checks.append((missing, pl.lit(f"{name} is required")))
    if c.low is not None:
        checks.append(((t < c.low).fill_null(False), said(f"is below the minimum {c.low:g}")))
    if c.high is not None:
        checks.append(((t > c.high).fill_null(False), said(f"is above the maximum {c.high:g}")))
    if c.kind == "float":
        huge = (t.abs() > MAX_MAGNITUDE).fill_null(False)
        shown_max = f"{MAX_MAGNITUDE:.0e}".replace("+", "")
        checks.append((huge, said(f"is beyond the sane magnitude {shown_max}")))
    if c.kind in ("date", "datetime"):
        day = t if c.kind == "date" else t.dt.date()
        low, high = DATE_RANGE
        outside = ((day < low) | (day > high)).fill_null(False)
        checks.append((outside, said(f"is outside the contract's dates {low} .. {high}")))
    return checks


def check(frame: pl.LazyFrame, obj: SourceObject) -> pl.LazyFrame:
    """Add the typed columns and ``_ok`` (no fault in the row)."""
    fmt = obj.fmt
    typed = [_cast(c, fmt).alias(typed_name(c)) for c in obj.columns if typed_name(c) != c.name]
    faulty = [bad for c in obj.columns for bad, _ in _faults(c, fmt)]
    ok = pl.col("_fault").is_null() & ~pl.any_horizontal(faulty)
    return frame.with_columns(typed).with_columns(ok.alias(OK))


def raw_columns(obj: SourceObject) -> list[pl.Expr]:
    """The contract columns, typed, under their raw names."""
    return [pl.col(typed_name(c)).alias(c.raw) for c in obj.columns]


def reason_and_column(obj: SourceObject) -> tuple[pl.Expr, pl.Expr]:
    """The first fault of a faulty row and the column it is in (null for a whole-row fault)."""
    fmt = obj.fmt
    reasons: list[pl.Expr] = [pl.col("_fault")]
    columns: list[pl.Expr] = []
    for c in obj.columns:
        faults = _faults(c, fmt)
        if not faults:
            continue
        chain = pl.when(faults[0][0]).then(faults[0][1])
        for bad, text in faults[1:]:
            chain = chain.when(bad).then(text)
        reasons.append(chain)
        columns.append(
            pl.when(pl.any_horizontal([bad for bad, _ in faults])).then(pl.lit(label(c)))
        )
    return pl.coalesce(reasons), pl.when(pl.col("_fault").is_null()).then(pl.coalesce(columns))
