"""Value forms of the `export` encoding: the same values, spelled as other real exports spell them.

- Booleans (CRM flags, Qualtrics `Finished`): one spelling per file column, chosen from
  `BOOLEAN_SPELLINGS` (true/false, yes/no, 1/0, t/f, in the cases exports use).
- Qualtrics answers exported as choice text instead of recode values: `Q_ALTERNATIVES` as
  Yes/No, `Q_CSAT` as the labels of the 5-point satisfaction scale, the NPS group as
  Promoter/Passive/Detractor, each in a case drawn per row (any case must read the same).
- Amounts (`float` columns of the CRM) without decimals when whole: `30000`, not `30000.00`.

Dates, datetimes and the JSON Lines of the help desk keep the contract's forms.
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


class Encoder:
    """Rewrites formatted frames into the `export` value forms; one per generation, with its
    own random stream so the values themselves are those of the default encoding."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._spelling: dict[tuple[str, str], tuple[str, str]] = {}

    def spelling(self, obj: SourceObject, column: str) -> tuple[str, str]:
        """The (true, false) spelling of a boolean column, fixed for the whole landing."""
        key = (obj.qualified, column)
        if key not in self._spelling:
            self._spelling[key] = BOOLEAN_SPELLINGS[
                int(self.rng.integers(0, len(BOOLEAN_SPELLINGS)))
            ]
        return self._spelling[key]

    def apply(self, obj: SourceObject, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (one delivery's rows of `obj`, contract forms) in the export forms."""
        if obj.fmt == "jsonl":
            return frame
        exprs: list[pl.Expr] = []
        for c in obj.columns:
            if c.raw not in frame.columns:
                continue
            col = pl.col(c.raw)
            if c.kind == "bool":
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
        if obj.fmt == "qualtrics_csv":
            frame = frame.with_columns(
                self._choice_text(frame, "Q_ALTERNATIVES", ALTERNATIVES_TEXT),
                self._choice_text(frame, "Q_CSAT", CSAT_TEXT),
                self._choice_text(frame, "Q_NPS_NPS_GROUP", NPS_GROUP_TEXT),
            )
        return frame

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
