"""One Great Expectations suite per source object, derived from the contract (`contract.py`).

A suite checks one night's raw partition of an object. Expectations with severity
``critical`` are *blocking* (the night must stop); ``warning`` ones are reported only.

Checks that compare a row with something outside the row (the extract date, earlier
deliveries, the keys of another object) run on *derived columns* added by
`rapport.quality.prepare` before validation: each holds the offending value where the row
breaks the rule and null elsewhere, so GX reports the count and examples of the offending
values. Their names say what they hold (e.g. ``LastModifiedDate after the extract date + 1 day``).
Conflicting versions of a record in one delivery are the ingest's rule alone (they are
quarantined before the raw zone is written), so no expectation repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from rapport.contract import LINEAGE_COLUMNS, PANDAS_DTYPES, SourceObject, raw_kinds

BLOCKING = "critical"
WARNING = "warning"

VALUE_SET_MOSTLY = 0.99  # a picklist value the contract does not list warns above 1% of rows
REFERENCE_MOSTLY = 0.95
DRIFT_FACTOR = 5  # a night more than this many times the usual row count warns
DRIFT_NIGHTS = 7  # earlier incremental deliveries the usual row count is the median of
DRIFT_FLOOR = 50  # ... and more rows than this: 1 → 6 rows on a quiet object is noise

MIN_ROWS = "min_rows"  # suite parameters of the row-count drift check
MAX_ROWS = "max_rows"

CREATION_STAMPS = ("CreatedDate", "created_at")


@dataclass(frozen=True)
class Reference:
    """``column`` holds keys of ``target`` (an object of the same source)."""

    column: str
    target: str
    target_key: str

    @property
    def derived(self) -> str:
        return f"{self.column} not among delivered {self.target}"


@dataclass(frozen=True)
class Pattern:
    """Where boolean column ``when`` is true, ``column`` must match ``regex``."""

    column: str
    when: str
    regex: str
    rule: str

    @property
    def derived(self) -> str:
        return f"{self.column} where {self.when}"


REFERENCES: dict[tuple[str, str], tuple[Reference, ...]] = {
    ("crm", "contacts"): (Reference("AccountId", "accounts", "Id"),),
    ("support", "tickets"): (Reference("organization_id", "organizations", "id"),),
}
PATTERNS: dict[tuple[str, str], tuple[Pattern, ...]] = {
    ("crm", "opportunities"): (
        Pattern(
            "StageName",
            "IsClosed",
            r"(?:Closed Won|Closed Lost)$",
            "the stage of a closed opportunity ends in Closed Won or Closed Lost",
        ),
    ),
}


def stamps(obj: SourceObject) -> list[str]:
    """The columns that must not lie in the future: the modification stamp and creation date."""
    present = {c.raw for c in obj.columns}
    return list(dict.fromkeys([obj.stamp, *(c for c in CREATION_STAMPS if c in present)]))


def future_column(stamp: str) -> str:
    return f"{stamp} after the extract date + 1 day"


def references(obj: SourceObject) -> tuple[Reference, ...]:
    return REFERENCES.get((obj.source, obj.name), ())


def patterns(obj: SourceObject) -> tuple[Pattern, ...]:
    return PATTERNS.get((obj.source, obj.name), ())


def _e(exp: Expectation, severity: str, check: str, notes: str) -> Expectation:
    """Tag an expectation: ``meta.check`` names it in messages, ``notes`` show in Data Docs."""
    exp.severity = severity
    exp.meta = {"check": check}
    exp.notes = notes
    return exp


def _schema(obj: SourceObject) -> list[Expectation]:
    columns = [c.raw for c in obj.columns] + list(LINEAGE_COLUMNS)
    out = [
        _e(
            gxe.ExpectTableColumnsToMatchSet(column_set=columns, exact_match=False),
            BLOCKING,
            "contract columns present",
            "Every contract column and lineage column is in the raw partition.",
        )
    ]
    for name, kind in raw_kinds(obj).items():
        if kind == "string_list":  # pandas cannot parse the name of an Arrow list dtype
            exp: Expectation = gxe.ExpectColumnValuesToBeOfType(column=name, type_="list")
        else:
            exp = gxe.ExpectColumnTypeToBe(column=name, type_=PANDAS_DTYPES[kind])
        out.append(_e(exp, BLOCKING, f"type {kind}", f"The contract types `{name}` as {kind}."))
    return out


def _values(obj: SourceObject) -> list[Expectation]:
    out: list[Expectation] = []
    for c in obj.columns:
        if c.required:
            out.append(
                _e(
                    gxe.ExpectColumnValuesToNotBeNull(column=c.raw),
                    BLOCKING,
                    "required",
                    f"`{c.raw}` is required (the record key or its stamp).",
                )
            )
        if c.low is not None or c.high is not None:
            low = "" if c.low is None else f"{c.low:g}"
            high = "" if c.high is None else f"{c.high:g}"
            rng = f"≥ {low}" if c.high is None else f"{low}–{high}"
            out.append(
                _e(
                    gxe.ExpectColumnValuesToBeBetween(
                        column=c.raw, min_value=c.low, max_value=c.high
                    ),
                    BLOCKING,
                    f"range {rng}",
                    f"The contract bounds `{c.raw}` to {rng}.",
                )
            )
        if c.values is not None:
            out.append(
                _e(
                    gxe.ExpectColumnValuesToBeInSet(
                        column=c.raw, value_set=list(c.values), mostly=VALUE_SET_MOSTLY
                    ),
                    WARNING,
                    "value not in the contract's list",
                    f"Source systems add picklist values: a value the contract does not list "
                    f"warns when more than {1 - VALUE_SET_MOSTLY:.0%} of rows hold one.",
                )
            )
    for p in patterns(obj):
        out.append(
            _e(
                gxe.ExpectColumnValuesToMatchRegex(column=p.derived, regex=p.regex),
                WARNING,
                p.rule,
                f"Derived column: `{p.column}` on the rows where `{p.when}` is true; {p.rule}.",
            )
        )
    return out


def _night(obj: SourceObject) -> list[Expectation]:
    """Checks against the extract date, the other rows and earlier deliveries."""
    out: list[Expectation] = [
        _e(
            gxe.ExpectColumnValuesToBeNull(column=future_column(s)),
            BLOCKING,
            "in the future",
            f"Derived column: `{s}` where its date is later than the day after the extract "
            "date (a delivery carries the changes of its day; one day of slack covers time "
            "zones and an export that runs after midnight).",
        )
        for s in stamps(obj)
    ]
    for r in references(obj):
        out.append(
            _e(
                gxe.ExpectColumnValuesToBeNull(
                    column=r.derived,
                    row_condition=Column(r.column).is_not_null(),
                    mostly=REFERENCE_MOSTLY,
                ),
                WARNING,
                f"unknown {r.target}",
                f"Derived column: `{r.column}` where it is not the `{r.target_key}` of any "
                f"{r.target} row delivered this night or earlier. Warns when more than "
                f"{1 - REFERENCE_MOSTLY:.0%} of the rows that have one point nowhere.",
            )
        )
    out.append(
        _e(
            gxe.ExpectTableRowCountToBeBetween(
                min_value={"$PARAMETER": MIN_ROWS}, max_value={"$PARAMETER": MAX_ROWS}
            ),
            WARNING,
            "row-count drift",
            f"At most {DRIFT_FACTOR}× the median row count of the previous {DRIFT_NIGHTS} "
            f"incremental deliveries (the first, full delivery excluded) or {DRIFT_FLOOR} rows, "
            "whichever is more; at least one row when each of those deliveries had rows. "
            "Unbounded until there is such a history.",
        )
    )
    return out


def build_suite(obj: SourceObject) -> gx.ExpectationSuite:
    """The suite for one source object, named ``<source>.<object>``."""
    return gx.ExpectationSuite(
        name=obj.qualified,
        expectations=_schema(obj) + _values(obj) + _night(obj),
        meta={"contract": "src/rapport/contract.py"},
    )
