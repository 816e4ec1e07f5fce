"""Value forms of the `export` encoding: the same values, spelled as other real exports spell them.

- Booleans (CRM flags, Qualtrics `Finished`): one spelling per file column, chosen from
  `BOOLEAN_SPELLINGS` (true/false, yes/no, 1/0, t/f, in the cases exports use).
- Qualtrics answers exported as choice text instead of recode values: `Q_ALTERNATIVES` as
  Yes/No, `Q_CSAT` as the labels of the 5-point satisfaction scale, the NPS group as
  Promoter/Passive/Detractor, each in a case drawn per row (any case must read the same).
- Amounts (`float` columns of the CRM) without decimals when whole: `30000`, not `30000.00`.
- Listed values (`Type`, `Status`, Zendesk's `status`, ...) in a case drawn per row.
- Stamps, one form per file column: the contract's, ISO 8601 with `Z` (with or without
  milliseconds), or the local time of a UTC-5 office with its offset (`-05:00`); Qualtrics
  stamps as the legacy naive form or ISO with `Z`. Dates: `2026-11-22` or midnight of that
  day as a datetime (`2026-11-22T00:00:00.000+0000`, `2026-11-22 00:00:00`).
- Help-desk integers written as whole floats (`501.0`), one choice per field.
- CRM header names lower-cased, one choice per object (as a warehouse loader writes them).

Every form means the same value: ingesting an `export` landing gives the raw zone of the
`contract` landing of the same seed (tests/unit/generate/test_export_forms.py).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from rapport.contract import SourceObject

BOOLEAN_SPELLINGS = (
    ("TRUE", "FALSE"),
    ("True", "False"),
    ("1", "0"),
    ("yes", "no"),
    ("Yes", "No"),
    ("t", "f"),
    ("T", "F"),
)
ALTERNATIVES_TEXT = {1: "Yes", 2: "No"}
CSAT_TEXT = {
    1: "Extremely dissatisfied",
    2: "Somewhat dissatisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Somewhat satisfied",
    5: "Extremely satisfied",
}
NPS_GROUP_TEXT = {1: "Detractor", 2: "Passive", 3: "Promoter"}
CASES = ("as_is", "lower", "upper")
# stamp forms per file format: strftime of the UTC stamp, or (strftime, hours to add) for a
# local time written with its offset
STAMP_FORMS: dict[str, tuple[str | tuple[str, int], ...]] = {
    "csv": (
        "%Y-%m-%dT%H:%M:%S.000+0000",
        "%Y-%m-%dT%H:%M:%S.000Z",
        "%Y-%m-%dT%H:%M:%SZ",
        ("%Y-%m-%dT%H:%M:%S-05:00", -5),
    ),
    "jsonl": ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.000Z", ("%Y-%m-%dT%H:%M:%S-05:00", -5)),
    "qualtrics_csv": ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"),
}
DATE_FORMS = ("%Y-%m-%d", "%Y-%m-%dT00:00:00.000+0000", "%Y-%m-%d 00:00:00")
JSON_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # the form the help-desk frames arrive in


class Encoder:
    """Rewrites formatted frames into the `export` value forms; one per generation, with its
    own random stream so the values themselves are those of the default encoding."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._choices: dict[tuple[str, str], int] = {}

    def _choice(self, obj: SourceObject, what: str, among: int) -> int:
        """One of `among` forms for `what` of `obj`, fixed for the whole landing."""
        key = (obj.qualified, what)
        if key not in self._choices:
            self._choices[key] = int(self.rng.integers(0, among))
        return self._choices[key]

    def spelling(self, obj: SourceObject, column: str) -> tuple[str, str]:
        """The (true, false) spelling of a boolean column, fixed for the whole landing."""
        return BOOLEAN_SPELLINGS[self._choice(obj, column, len(BOOLEAN_SPELLINGS))]

    def apply(self, obj: SourceObject, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (one delivery's rows of `obj`, contract forms) in the export forms."""
        exprs: list[pl.Expr] = []
        for c in obj.columns:
            if c.raw not in frame.columns:
                continue  # a nested help-desk field: its object keeps the contract's forms
            col = pl.col(c.raw)
            if c.values is not None:
                exprs.append(self._cased(col, frame.height).alias(c.raw))
            elif c.kind == "datetime":
                exprs.append(self._stamp(obj, c.raw, col).alias(c.raw))
            elif c.kind == "date" and obj.fmt == "csv":
                form = DATE_FORMS[self._choice(obj, c.raw, len(DATE_FORMS))]
                exprs.append(col.dt.to_string(form).alias(c.raw))
            elif c.kind == "int" and obj.fmt == "jsonl" and self._choice(obj, c.raw, 2):
                exprs.append(col.cast(pl.Float64).alias(c.raw))
            elif c.kind == "bool":
                yes, no = self.spelling(obj, c.raw)
                value = col if frame.schema[c.raw] == pl.Boolean else col.cast(pl.Int64) == 1
                exprs.append(pl.when(value).then(pl.lit(yes)).otherwise(pl.lit(no)).alias(c.raw))
            elif c.kind == "float" and obj.fmt == "csv":
                whole = col == col.round(0)
                exprs.append(
                    pl.when(whole)
                    .then(col.cast(pl.Int64).cast(pl.String))
                    .otherwise(col.round(2).cast(pl.String))
                    .alias(c.raw)
                )
        frame = frame.with_columns(exprs)
        if obj.fmt == "csv" and self._choice(obj, "header", 2):
            names = {c.raw: c.raw.lower() for c in obj.columns if c.raw in frame.columns}
            frame = frame.rename(names)
        if obj.fmt == "qualtrics_csv":
            frame = frame.with_columns(
                self._choice_text(frame, "Q_ALTERNATIVES", ALTERNATIVES_TEXT),
                self._choice_text(frame, "Q_CSAT", CSAT_TEXT),
                self._choice_text(frame, "Q_NPS_NPS_GROUP", NPS_GROUP_TEXT),
            )
        return frame

    def _cased(self, col: pl.Expr, rows: int) -> pl.Expr:
        """`col` in a case drawn per row."""
        case = pl.lit(pl.Series(np.asarray(CASES)[self.rng.integers(0, len(CASES), rows)]))
        return (
            pl.when(case == "lower")
            .then(col.str.to_lowercase())
            .when(case == "upper")
            .then(col.str.to_uppercase())
            .otherwise(col)
        )

    def _stamp(self, obj: SourceObject, column: str, col: pl.Expr) -> pl.Expr:
        """A stamp column in the form this landing writes it in."""
        forms = STAMP_FORMS[obj.fmt]
        form = forms[self._choice(obj, column, len(forms))]
        utc = col.str.strptime(pl.Datetime("us"), JSON_STAMP) if obj.fmt == "jsonl" else col
        if isinstance(form, tuple):
            shape, hours = form
            return (utc + pl.duration(hours=hours)).dt.to_string(shape)
        return utc.dt.to_string(form)

    def _choice_text(self, frame: pl.DataFrame, column: str, labels: dict[int, str]) -> pl.Series:
        """Recode values of `column` as their choice text, in a case drawn per row."""
        text = frame[column].replace_strict(labels, default=None, return_dtype=pl.String)
        case = pl.Series(np.asarray(CASES)[self.rng.integers(0, len(CASES), frame.height)])
        return (
            pl.DataFrame({"t": text, "c": case})
            .select(
                pl.when(pl.col("c") == "lower")
                .then(pl.col("t").str.to_lowercase())
                .when(pl.col("c") == "upper")
                .then(pl.col("t").str.to_uppercase())
                .otherwise(pl.col("t"))
            )
            .to_series()
            .alias(column)
        )
