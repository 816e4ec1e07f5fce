"""Validate a range of nights of one source: one GX validation per object and batch of nights.

A run over many nights (the demo's 28, a backfill, a first installation) validated each
night's partition of each object on its own: 28 nights x 11 objects = 308 GX validations
and 84 Data Docs builds, nearly all of GX's cost being per validation, not per row. Here
each object's nights of the run are stacked into one frame (the night is its
``_extract_date`` column; the derived columns are computed night by night, as a single
night's are) and validated once, in batches of at most ``MAX_BATCH_ROWS`` validated rows.

The outcome stays per night, exactly as one night's own validation would report it:

- a batch in which no expectation found a single unexpected value (and none could not run)
  means each of its nights would pass each of those expectations too: every night is
  reported clean, with its own row count, and points to the batch's result and page;
- the row-count drift check is a per-night table check: it is left unbounded in the
  batch and each night's count is compared with that night's bounds here; a night outside
  them is validated alone;
- a batch in which expectations found unexpected values (a blocking failure, a warning,
  or values a ``mostly`` let pass) is validated again with the position of every
  unexpected row: the nights holding one are validated alone, the others are clean;
- an expectation that failed without rows to point at (a table or schema check) or could
  not run, or nights whose frames do not stack (a missing or mistyped column), send each
  of the batch's nights to its own validation.

A night validated alone gets exactly the messages, counts and line numbers of a single
night's validation.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import great_expectations as gx
import polars as pl
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from rapport.contract import SOURCES, SourceObject, objects_of
from rapport.quality import docs
from rapport.quality.prepare import (
    MAX_VALIDATED_ROWS,
    delivery_nights,
    scaled_bounds,
    with_derived,
)
from rapport.quality.result import ObjectValidation
from rapport.quality.suites import MAX_ROWS, MIN_ROWS, build_suite
from rapport.quality.validate import (
    Validator,
    missing,
    new_validator,
    run_suite,
    validate_night,
    validate_partition,
)
from rapport.raw_zone import RawZone

log = logging.getLogger(__name__)

#: validated rows per batch: GX holds a batch in pandas, as it holds one night's sample
MAX_BATCH_ROWS = MAX_VALIDATED_ROWS
BATCH_ASSET = "{name}.nights"  # the dataframe asset of an object's batches
#: a batch with findings is validated again keeping each unexpected row's position
COMPLETE = {"result_format": "COMPLETE"}


@dataclass(frozen=True)
class Partition:
    """One object's night, ready for its suite."""

    night: date
    prepared: pl.DataFrame  # the partition (or its sample) with the derived columns
    rows: int  # rows of the whole partition


def validate_nights(
    lake: Path,
    quality_dir: Path,
    source: str,
    nights: list[date],
    raw: RawZone | None = None,
) -> list[ObjectValidation]:
    """Validate each object of ``source`` on each of ``nights`` (nights the raw zone `raw`,
    default the lake's, has no delivery of are skipped), night by night in the outcome: one
    `ObjectValidation` per night and object, in night order. One night is `validate_night`."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    objects = objects_of(source)
    raw = raw or RawZone.under(lake)
    delivered = delivery_nights(raw, source, objects)
    wanted = sorted(set(nights) & set(delivered))
    if len(wanted) <= 1:
        return [o for n in wanted for o in validate_night(lake, quality_dir, source, n, raw)]
    v = new_validator(raw, quality_dir, source, delivered, wanted[-1])
    by_night: dict[date, list[ObjectValidation]] = {n: [] for n in wanted}
    pages: dict[date, dict[str, str]] = {n: {} for n in wanted}
    keys: list[ValidationResultIdentifier] = []
    for obj in objects:
        suite = v.context.suites.add(build_suite(obj))
        parts: list[Partition] = []
        for night in wanted:
            partition = v.history.read_night(obj, night)
            if partition is None:
                by_night[night].append(missing(obj, night))
                continue
            frame, rows = partition
            parts.append(Partition(night, with_derived(frame, obj, night, v.history), rows))
        for batch in batches(parts):
            for outcome, key in _validate_batch(v, obj, suite, batch):
                by_night[outcome.extract_date].append(outcome)
                pages[outcome.extract_date][f"{source}-{obj.name}"] = docs.page(key)
                if key not in keys:
                    keys.append(key)
    docs.build_pages(v.context, quality_dir, keys, objects)
    docs.write_nights(quality_dir, source, {n: (by_night[n], pages[n]) for n in wanted})
    return [o for n in wanted for o in by_night[n]]


def batches(parts: list[Partition], limit: int = MAX_BATCH_ROWS) -> list[list[Partition]]:
    """Consecutive nights, at most ``limit`` validated rows a batch (a larger night alone)."""
    out: list[list[Partition]] = []
    size = 0
    for part in parts:
        if out and size + part.prepared.height <= limit:
            out[-1].append(part)
            size += part.prepared.height
        else:
            out.append([part])
            size = part.prepared.height
    return out


def _validate_batch(
    v: Validator, obj: SourceObject, suite: gx.ExpectationSuite, batch: list[Partition]
) -> list[tuple[ObjectValidation, ValidationResultIdentifier]]:
    started = time.perf_counter()
    stacked = _stack(batch)
    if len(batch) == 1 or stacked is None:
        return [_alone(v, obj, suite, p) for p in batch]
    key = batch_key(obj, batch[0].night, batch[-1].night)
    unbounded: dict[str, float | None] = {MIN_ROWS: None, MAX_ROWS: None}
    asset = BATCH_ASSET.format(name=obj.name)
    result = run_suite(v.context, v.definition(obj, suite, asset), stacked, unbounded, key)
    flagged: set[date] = set()
    if not clean(result):
        # which nights hold the unexpected values: those are validated alone
        complete = run_suite(
            v.context, v.definition(obj, suite, asset), stacked, unbounded, key, COMPLETE
        )
        found = nights_with_findings(complete, stacked)
        if found is None:
            log.info(f"{obj.qualified} {_span(batch)}: each night validated alone")
            return [_alone(v, obj, suite, p) for p in batch]
        flagged = found
        log.info(
            f"{obj.qualified} {_span(batch)}: findings on {len(flagged)} night(s), validated alone"
        )
        result = complete
    path = batch_result_path(v.quality_dir, obj, batch[0].night, batch[-1].night)
    docs.write_atomic(path, json.dumps(result, indent=1))
    out = []
    for p in batch:
        bounds = scaled_bounds(v.history.drift_bounds(obj, p.night), p.prepared.height, p.rows)
        if p.night not in flagged and within(p.prepared.height, bounds):
            out.append((_clean(obj, p, path), key))
        else:
            out.append(_alone(v, obj, suite, p))
    rows = sum(p.rows for p in batch)
    log.info(
        f"{obj.qualified} {_span(batch)}: {rows:,} rows, one validation, "
        f"{sum(1 for o, _ in out if o.result_path == path)} night(s) OK "
        f"[{time.perf_counter() - started:.1f} s]"
    )
    return out


def _alone(
    v: Validator, obj: SourceObject, suite: gx.ExpectationSuite, p: Partition
) -> tuple[ObjectValidation, ValidationResultIdentifier]:
    outcome, key = validate_partition(v, obj, suite, p.prepared, p.rows, p.night)
    log.info(outcome.summary())
    return outcome, key


def _stack(batch: list[Partition]) -> pl.DataFrame | None:
    """The nights' frames as one; None when their columns differ (the schema checks of each
    night's own validation then say how)."""
    first = batch[0].prepared.schema
    if any(p.prepared.schema != first for p in batch[1:]):
        return None
    return pl.concat([p.prepared for p in batch], how="vertical", rechunk=False)


def clean(result: dict[str, Any]) -> bool:
    """No expectation failed, none found an unexpected value (``mostly`` lets a few pass
    on a batch that could fail one night), none could not run."""
    for r in result["results"]:
        res = r.get("result") or {}
        info = r.get("exception_info") or {}
        raised = info.get("raised_exception") or any(
            isinstance(x, dict) and x.get("raised_exception") for x in info.values()
        )
        if not r["success"] or raised or (res.get("unexpected_count") or 0) > 0:
            return False
    return bool(result["success"])


def nights_with_findings(result: dict[str, Any], stacked: pl.DataFrame) -> set[date] | None:
    """The nights (``_extract_date``) of the rows any expectation found unexpected, from a
    result with every unexpected row's position (``COMPLETE``). None when that cannot say
    which nights fail: an expectation failed without row positions (a table or schema
    check, the same for every night of the batch) or could not run."""
    rows: set[int] = set()
    for r in result["results"]:
        res = r.get("result") or {}
        info = r.get("exception_info") or {}
        if info.get("raised_exception") or any(
            isinstance(x, dict) and x.get("raised_exception") for x in info.values()
        ):
            return None
        count = res.get("unexpected_count") or 0
        positions = res.get("unexpected_index_list")
        if not r["success"] and not count:
            return None
        if count:
            if positions is None or len(positions) != count:
                return None
            rows.update(int(i) for i in positions)
    if not rows:
        return None
    nights = stacked["_extract_date"].gather(sorted(rows)).unique()
    return set(nights.to_list())


def within(count: int, bounds: dict[str, float | None]) -> bool:
    """The row-count drift check of one night, as its expectation evaluates it."""
    low, high = bounds.get(MIN_ROWS), bounds.get(MAX_ROWS)
    return (low is None or count >= low) and (high is None or count <= high)


def _clean(obj: SourceObject, p: Partition, path: Path) -> ObjectValidation:
    return ObjectValidation(
        source=obj.source,
        object=obj.name,
        extract_date=p.night,
        success=True,
        rows=p.rows,
        validated_rows=p.prepared.height,
        result_path=path,
    )


def batch_key(obj: SourceObject, first: date, last: date) -> ValidationResultIdentifier:
    """The key of a batch's result (and its Data Docs page), named by its nights."""
    run_id = RunIdentifier(
        run_name=f"dt={first.isoformat()}..{last.isoformat()}",
        run_time=datetime.combine(last, clock(), UTC),
    )
    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=obj.qualified),
        run_id=run_id,
        batch_identifier=f"{obj.source}-{BATCH_ASSET.format(name=obj.name)}",
    )


def batch_result_path(quality_dir: Path, obj: SourceObject, first: date, last: date) -> Path:
    name = f"dt={first.isoformat()}..{last.isoformat()}.json"
    return quality_dir / "validations" / obj.source / obj.name / name


def _span(batch: list[Partition]) -> str:
    return f"dt={batch[0].night.isoformat()}..{batch[-1].night.isoformat()} ({len(batch)} nights)"
