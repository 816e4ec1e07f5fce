"""What one object's validation found, read from the GX validation result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from rapport.quality.suites import BLOCKING

EXAMPLES = 5  # unexpected values quoted per failed expectation
LINE = "_line"  # lineage column: the row's line in the landing file


@dataclass(frozen=True)
class ObjectValidation:
    """One source object's raw partition of one night, validated.

    ``success`` means no blocking failure: warnings never stop a night.
    """

    source: str
    object: str
    extract_date: date
    success: bool
    blocking_failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed_expectations: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    validated_rows: int = 0  # fewer than rows when a sample was validated
    result_path: Path | None = None  # the GX validation result (JSON); None when not validated

    @property
    def qualified(self) -> str:
        return f"{self.source}.{self.object}"

    def summary(self) -> str:
        head = f"{self.qualified} dt={self.extract_date.isoformat()}: {self.rows:,} rows"
        if self.validated_rows < self.rows:
            head += f" (a sample of {self.validated_rows:,} validated)"
        if self.success and not self.warnings:
            return f"{head}, OK"
        counts = f"{len(self.blocking_failures)} blocking, {len(self.warnings)} warning(s)"
        first = (self.blocking_failures or self.warnings)[0]
        return f"{head}, {'OK' if self.success else 'BLOCKED'} ({counts}); {first}"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "object": self.object,
            "extract_date": self.extract_date.isoformat(),
            "success": self.success,
            "blocking_failures": self.blocking_failures,
            "warnings": self.warnings,
            "failed_expectations": self.failed_expectations,
            "rows": self.rows,
            "result_path": None if self.result_path is None else str(self.result_path),
        }


def _examples(result: dict[str, Any], lines: pl.Series | None) -> list[Any]:
    """The first unexpected values, each with its line in the landing file when known.

    GX reports the row positions of the values it quotes; the batch is the raw partition in
    its order, so a position is a row of ``lines`` (the partition's ``_line``).
    """
    values = list(result.get("partial_unexpected_list") or [])[:EXAMPLES]
    positions = result.get("partial_unexpected_index_list") or []
    if lines is None or len(positions) < len(values):
        return values
    return [{"value": v, "line": lines[int(i)]} for v, i in zip(values, positions, strict=False)]


def _quote(example: Any) -> str:
    if isinstance(example, dict) and "value" in example:
        line = example.get("line")
        return f"{example['value']!r}" + (f" (line {line})" if line is not None else "")
    return repr(example)


def _describe(failure: dict[str, Any]) -> str:
    """One line naming the column, the check, the count and a few examples."""
    where = f" {failure['column']}" if failure["column"] else ""
    head = f"{failure['object']}{where}: {failure['check']}"
    if failure["exception"]:
        return f"{head}: could not run ({failure['exception']})"
    if failure["unexpected_count"] is not None:
        shown = ", ".join(_quote(x) for x in failure["examples"])
        return (
            f"{head}: {failure['unexpected_count']:,} of {failure['element_count']:,} rows "
            f"({failure['unexpected_percent']:.2f}%)" + (f", e.g. {shown}" if shown else "")
        )
    if failure["missing_columns"]:
        return f"{head}: missing {', '.join(failure['missing_columns'])}"
    if failure["expectation"] == "expect_table_row_count_to_be_between":
        low, high = failure["bounds"]
        return (
            f"{head}: {failure['observed_value']:,} rows where {low or 0:,} to {high:,} are usual"
        )
    return f"{head}: observed {failure['observed_value']}"


def _exception(info: dict[str, Any]) -> str | None:
    """The first error message: GX keeps one at the top, or one per failed metric."""
    if "exception_message" in info:
        return info["exception_message"]
    nested = (v.get("exception_message") for v in info.values() if isinstance(v, dict))
    return next((m for m in nested if m), None)


def failures(
    qualified: str, result: dict[str, Any], lines: pl.Series | None = None
) -> list[dict[str, Any]]:
    """The failed expectations of a validation result (as its JSON dict), most severe first."""
    out = []
    for r in result["results"]:
        if r["success"]:
            continue
        config, res = r["expectation_config"], r.get("result") or {}
        kwargs = config["kwargs"]
        column = kwargs.get("column")
        exception = _exception(r.get("exception_info") or {})
        failure = {
            "object": qualified,
            "expectation": config["type"],
            "column": column,
            "severity": "blocking" if config.get("severity") == BLOCKING else "warning",
            "check": (config.get("meta") or {}).get("check", config["type"]),
            "unexpected_count": res.get("unexpected_count"),
            # map expectations leave nulls out of their domain, except the null checks
            "element_count": (res.get("element_count") or 0) - (res.get("missing_count") or 0),
            "unexpected_percent": res.get("unexpected_percent"),
            "examples": _examples(res, lines),
            "observed_value": res.get("observed_value"),
            "missing_columns": ((res.get("details") or {}).get("mismatched") or {}).get("missing"),
            "bounds": (kwargs.get("min_value"), kwargs.get("max_value")),
            "exception": exception,
        }
        failure["message"] = _describe(failure)
        out.append(failure)
    # blocking first; within a severity, findings before checks that could not run
    return sorted(out, key=lambda f: (f["severity"] != "blocking", f["exception"] is not None))


def from_result(
    source: str,
    obj: str,
    night: date,
    result: dict[str, Any],
    frame: pl.DataFrame,
    path: Path,
    rows: int,
) -> ObjectValidation:
    """The outcome of validating ``frame`` (the raw partition of ``rows`` rows, or a sample
    of it) as GX reported it."""
    lines = frame[LINE] if LINE in frame.columns else None
    failed = failures(f"{source}.{obj}", result, lines)
    blocking = [f["message"] for f in failed if f["severity"] == "blocking"]
    return ObjectValidation(
        source=source,
        object=obj,
        extract_date=night,
        success=not blocking,
        blocking_failures=blocking,
        warnings=[f["message"] for f in failed if f["severity"] == "warning"],
        failed_expectations=failed,
        rows=rows,
        validated_rows=frame.height,
        result_path=path,
    )
