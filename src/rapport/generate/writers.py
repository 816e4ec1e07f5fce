"""Contract file formats (docs/extracts.md), and which record versions each night delivers.

The first night is a full load: the latest version of every record not deleted by then.
Every later night carries the versions stamped that day (the last one per record and day);
a few arrive one or two nights late. Files are appended chunk by chunk.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from rapport.contract import OBJECTS, SOURCES, SourceObject
from rapport.generate.encoding import Encoder
from rapport.generate.timeline import DAY, Calendar

CRM_DATETIME = "%Y-%m-%dT%H:%M:%S.000+0000"
SUPPORT_DATETIME = "%Y-%m-%dT%H:%M:%SZ"
SURVEY_DATETIME = "%Y-%m-%d %H:%M:%S"
LATE = (0.98, 0.012, 0.008)  # share of changes delivered on their day, one night, two late
NULLABLE_OBJECTS = frozenset({"satisfaction_rating"})  # nested objects that may be null
_NIGHT = "_night"

# Qualtrics legacy export: row 2 is the question text, row 3 the import id of each column
QUALTRICS_HEADERS = {
    "StartDate": ("Start Date", {"ImportId": "startDate", "timeZone": "UTC"}),
    "EndDate": ("End Date", {"ImportId": "endDate", "timeZone": "UTC"}),
    "Status": ("Response Type", {"ImportId": "status"}),
    "Progress": ("Progress", {"ImportId": "progress"}),
    "Duration (in seconds)": ("Duration (in seconds)", {"ImportId": "duration"}),
    "Finished": ("Finished", {"ImportId": "finished"}),
    "RecordedDate": ("Recorded Date", {"ImportId": "recordedDate", "timeZone": "UTC"}),
    "ResponseId": ("Response ID", {"ImportId": "_recordId"}),
    "RecipientLastName": ("Recipient Last Name", {"ImportId": "recipientLastName"}),
    "RecipientFirstName": ("Recipient First Name", {"ImportId": "recipientFirstName"}),
    "RecipientEmail": ("Recipient Email", {"ImportId": "recipientEmail"}),
    "ExternalReference": ("External Data Reference", {"ImportId": "externalDataReference"}),
    "DistributionChannel": ("Distribution Channel", {"ImportId": "distributionChannel"}),
    "UserLanguage": ("User Language", {"ImportId": "userLanguage"}),
    "Q_NPS": ("How likely are you to recommend us to a colleague?", {"ImportId": "QID1"}),
    "Q_NPS_NPS_GROUP": (
        "How likely are you to recommend us to a colleague? - Group",
        {"ImportId": "QID1_NPS_GROUP"},
    ),
    "Q_CSAT": ("How satisfied are you with our product and service?", {"ImportId": "QID2"}),
    "Q_ALTERNATIVES": (
        "In the last six months, have you evaluated alternatives to us?",
        {"ImportId": "QID3"},
    ),
    "Q_COMMENT": ("Is there anything else you would like to tell us?", {"ImportId": "QID4_TEXT"}),
    "account_id": ("account_id", {"ImportId": "account_id"}),
}


def _frame_name(column) -> str:
    """Generators name nested support fields by their raw (flattened) name."""
    return column.raw if column.path else column.name


def _gone(obj: SourceObject) -> pl.Expr:
    """The contract's deletion markers present in this object."""
    names = {c.raw for c in obj.columns}
    gone = pl.lit(False)
    if "IsDeleted" in names:
        gone = gone | pl.col("IsDeleted").fill_null(False)
    if "deleted_at" in names:
        gone = gone | pl.col("deleted_at").is_not_null()
    if obj.source == "support" and "status" in names:
        gone = gone | (pl.col("status") == "deleted").fill_null(False)
    return gone


class Landing:
    """The landing folder being written: `<root>/<source>/dt=<date>/<object>.<ext>`."""

    def __init__(
        self,
        root: Path,
        cal: Calendar,
        encoder: Encoder | None = None,
        written: tuple[date, date] | None = None,
    ) -> None:
        """Only the nights in `written` (first, last; default: every night of `cal`) are
        written; the others are simulated all the same."""
        self.root, self.cal, self.encoder = root, cal, encoder
        self.written = written or (cal.nights[0], cal.nights[-1])
        self.rows: dict[str, int] = {o.qualified: 0 for o in OBJECTS}
        self.night_rows: dict[date, dict[str, int]] = {}  # rows per night and object
        self._started: set[str] = set()
        for source in SOURCES:
            for night in self.nights:
                folder = self.folder(source, night)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "_SUCCESS").unlink(missing_ok=True)

    @property
    def nights(self) -> tuple[date, ...]:
        """The nights this landing writes."""
        first, last = self.written
        return tuple(n for n in self.cal.nights if first <= n <= last)

    def folder(self, source: str, night: date) -> Path:
        return self.root / source / f"dt={night.isoformat()}"

    def deliver(self, obj: SourceObject, versions: pl.DataFrame, rng: np.random.Generator) -> None:
        """Append this chunk's versions of `obj` to the files of the nights that deliver them."""
        delivered = self._format(obj, self._assign(obj, versions, rng))
        if self.encoder is not None:
            delivered = self.encoder.apply(obj, delivered)
        parts = delivered.partition_by(_NIGHT, as_dict=True, include_key=False)
        first = obj.qualified not in self._started
        empty = delivered.drop(_NIGHT).clear()
        written = set(self.nights)
        for i, night in enumerate(self.cal.nights):
            if night not in written:
                continue
            part = parts.get((self.cal.s0 + i,), empty)
            self.rows[obj.qualified] += part.height
            self.night_rows.setdefault(night, dict.fromkeys(self.rows, 0))
            self.night_rows[night][obj.qualified] += part.height
            if part.height == 0 and not first:
                continue
            path = self.folder(obj.source, night) / obj.filename
            with path.open("wb" if first else "ab") as f:
                self._write(obj, part, f, first, bom=(i + OBJECTS.index(obj)) % 3 == 0)
        self._started.add(obj.qualified)

    def finish(self) -> None:
        """Mark every night's delivery complete."""
        missing = {o.qualified for o in OBJECTS} - self._started
        if missing:
            raise RuntimeError(f"objects never delivered: {sorted(missing)}")
        for source in SOURCES:
            for night in self.nights:
                (self.folder(source, night) / "_SUCCESS").touch()

    def _assign(
        self, obj: SourceObject, versions: pl.DataFrame, rng: np.random.Generator
    ) -> pl.DataFrame:
        """The versions each night delivers, with the night's epoch day in `_night`."""
        s0, end = self.cal.s0, self.cal.end
        day = pl.col(obj.stamp) // DAY
        v = versions.filter(pl.col(obj.stamp) < end * DAY).sort(
            obj.key, obj.stamp, maintain_order=True
        )
        full = (
            v.filter(day <= s0)
            .unique(obj.key, keep="last", maintain_order=True)
            .filter(~_gone(obj))
            .with_columns(pl.lit(s0, dtype=pl.Int64).alias(_NIGHT))
        )
        later = (
            v.filter(day > s0)
            .with_columns(day.alias(_NIGHT))
            .unique([obj.key, _NIGHT], keep="last", maintain_order=True)
        )
        delay = rng.choice(len(LATE), size=later.height, p=LATE)
        later = later.with_columns(pl.col(_NIGHT) + pl.Series(delay)).filter(pl.col(_NIGHT) < end)
        return pl.concat([full, later]).sort(_NIGHT, maintain_order=True)

    def _format(self, obj: SourceObject, v: pl.DataFrame) -> pl.DataFrame:
        """Contract value formats; nested support fields as JSON objects."""
        missing = [_frame_name(c) for c in obj.columns if _frame_name(c) not in v.columns]
        if missing:
            raise ValueError(f"{obj.qualified}: generator lacks contract columns {missing}")
        exprs: dict[str, pl.Expr] = {}
        for c in obj.columns:
            col = pl.col(_frame_name(c))
            if c.kind == "datetime":
                col = pl.from_epoch(col, time_unit="s")
                if obj.fmt == "jsonl":
                    col = col.dt.to_string(SUPPORT_DATETIME)
            elif c.kind == "date":
                col = pl.from_epoch(col, time_unit="d")
            exprs[_frame_name(c)] = col.alias(_frame_name(c))
        v = v.with_columns(exprs.values())
        nested: dict[str, list] = {}
        for c in obj.columns:
            if c.path:
                nested.setdefault(c.path[0], []).append(c)
        out: list[pl.Expr] = []
        for name in v.columns:
            parent = next((p for p, cs in nested.items() if cs[0].raw == name), None)
            if parent is not None:
                fields = [pl.col(c.raw).alias(c.path[1]) for c in nested[parent]]
                obj_expr = pl.struct(fields)
                if parent in NULLABLE_OBJECTS:
                    any_set = pl.any_horizontal(pl.col(c.raw).is_not_null() for c in nested[parent])
                    obj_expr = pl.when(any_set).then(obj_expr)
                out.append(obj_expr.alias(parent))
            elif not any(name == c.raw for cs in nested.values() for c in cs):
                out.append(pl.col(name))
        return v.select(out)

    def _write(
        self, obj: SourceObject, part: pl.DataFrame, f: BinaryIO, first: bool, bom: bool
    ) -> None:
        if obj.fmt == "jsonl":
            if part.height:
                part.write_ndjson(f)
            return
        options = {"line_terminator": "\r\n", "date_format": "%Y-%m-%d"}
        if obj.fmt == "qualtrics_csv":
            if first:
                f.write(_qualtrics_header(part.columns))
            part.write_csv(f, include_header=False, datetime_format=SURVEY_DATETIME, **options)
        else:
            part.write_csv(
                f,
                include_header=first,
                include_bom=first and bom,
                datetime_format=CRM_DATETIME,
                float_precision=2,
                **options,
            )


def _qualtrics_header(columns: list[str]) -> bytes:
    """The three header rows of a Qualtrics legacy export."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    meta = [QUALTRICS_HEADERS.get(c, (c, {"ImportId": c})) for c in columns]
    w.writerow(columns)
    w.writerow(text for text, _ in meta)
    w.writerow(json.dumps(imp, separators=(",", ":")) for _, imp in meta)
    return buf.getvalue().encode("utf-8")
