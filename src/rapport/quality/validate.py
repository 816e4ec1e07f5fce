"""Validate one source's night in the raw zone: one suite per object, results saved as JSON."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import great_expectations as gx
import polars as pl
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier
from great_expectations.datasource.fluent import PandasDatasource

from rapport.contract import SOURCES, SourceObject, objects_of
from rapport.quality import docs
from rapport.quality.prepare import (
    History,
    delivery_nights,
    scaled_bounds,
    to_pandas,
    with_derived,
)
from rapport.quality.result import ObjectValidation, from_result
from rapport.quality.suites import build_suite
from rapport.raw_zone import RawZone

log = logging.getLogger(__name__)

PARTIAL_UNEXPECTED = 20  # unexpected values GX keeps per expectation (Data Docs shows them)


def result_path(quality_dir: Path, source: str, obj: str, night: date) -> Path:
    return quality_dir / "validations" / source / obj / f"dt={night.isoformat()}.json"


def missing(obj: SourceObject, night: date) -> ObjectValidation:
    return ObjectValidation(
        source=obj.source,
        object=obj.name,
        extract_date=night,
        success=True,
        warnings=[
            f"{obj.qualified}: no raw partition for dt={night.isoformat()} "
            "(file missing from the delivery or refused by the ingest)"
        ],
    )


def _context() -> AbstractDataContext:
    """An in-memory context: no temporary docs site, no progress bars."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def new_validator(
    raw: RawZone, quality_dir: Path, source: str, nights: list[date], last: date
) -> Validator:
    """A validator of the source's delivered ``nights`` up to ``last`` (the latest to check)."""
    context = _context()
    history = History(raw, nights, last)
    return Validator(context, context.data_sources.add_pandas(source), history, quality_dir)


def validate_night(
    lake: Path,
    quality_dir: Path,
    source: str,
    extract_date: date,
    raw: RawZone | None = None,
) -> list[ObjectValidation]:
    """Run each object's suite on the source's raw partitions of ``extract_date`` (in the
    raw zone `raw`, default the lake's).

    Saves each GX validation result to
    ``<quality_dir>/validations/<source>/<object>/dt=<D>.json`` and updates the Data Docs
    under ``<quality_dir>/data_docs/``. Raises ``FileNotFoundError`` when the raw zone holds
    no delivery of the source for that night.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    objects = objects_of(source)
    raw = raw or RawZone.under(lake)
    nights = delivery_nights(raw, source, objects)
    if extract_date not in nights:
        raise FileNotFoundError(
            f"no delivery of {source} for {extract_date.isoformat()} in {raw.root}"
        )
    v = new_validator(raw, quality_dir, source, nights, extract_date)
    context = v.context
    outcomes: list[ObjectValidation] = []
    keys: list[ValidationResultIdentifier] = []
    for obj in objects:
        started = time.perf_counter()
        suite = context.suites.add(build_suite(obj))  # rendered even when not run tonight
        partition = v.history.read_night(obj, extract_date)
        if partition is None:
            outcomes.append(missing(obj, extract_date))
            continue
        frame, rows = partition
        prepared = with_derived(frame, obj, extract_date, v.history)
        outcome, key = validate_partition(v, obj, suite, prepared, rows, extract_date)
        outcomes.append(outcome)
        keys.append(key)
        log.info(f"{outcomes[-1].summary()} [{time.perf_counter() - started:.1f} s]")
    docs.build_pages(context, quality_dir, keys, objects)
    docs.write_night(
        quality_dir,
        source,
        extract_date,
        outcomes,
        {k.batch_identifier: docs.page(k) for k in keys},
    )
    return outcomes


@dataclass
class Validator:
    """What validating a source's partitions needs: the GX context and its pandas datasource,
    the source's delivery history (drift bounds, delivered keys), where results go."""

    context: AbstractDataContext
    datasource: PandasDatasource
    history: History
    quality_dir: Path
    _definitions: dict[str, gx.ValidationDefinition] = field(default_factory=dict)

    def definition(
        self, obj: SourceObject, suite: gx.ExpectationSuite, asset: str
    ) -> gx.ValidationDefinition:
        """One validation definition per dataframe asset, reused by every validation of it
        in this context. GX names a result's batch ``<source>-<asset>``: the asset of one
        night is the object's name (see `docs.result_key`)."""
        if asset not in self._definitions:
            batch = self.datasource.add_dataframe_asset(asset).add_batch_definition_whole_dataframe(
                "night"
            )
            name = obj.qualified if asset == obj.name else f"{obj.source}.{asset}"
            self._definitions[asset] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
        return self._definitions[asset]


def validate_partition(
    v: Validator,
    obj: SourceObject,
    suite: gx.ExpectationSuite,
    prepared: pl.DataFrame,
    rows: int,
    night: date,
) -> tuple[ObjectValidation, ValidationResultIdentifier]:
    """Validate one night's partition (``prepared``: with its derived columns), save the
    result as ``result_path`` and keep it in the context's store (for its Data Docs page)."""
    key = docs.result_key(obj, night)
    bounds = scaled_bounds(v.history.drift_bounds(obj, night), prepared.height, rows)
    result = run_suite(v.context, v.definition(obj, suite, obj.name), prepared, bounds, key)
    path = result_path(v.quality_dir, obj.source, obj.name, night)
    docs.write_atomic(path, json.dumps(result, indent=1))
    return from_result(obj.source, obj.name, night, result, prepared, path, rows), key


def run_suite(
    context: AbstractDataContext,
    definition: gx.ValidationDefinition,
    prepared: pl.DataFrame,
    bounds: dict[str, float | None],
    key: ValidationResultIdentifier,
    result_format: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate one frame; the result (JSON dict) is also kept in `context`'s store (with
    the values it quotes HTML-escaped, for its Data Docs page)."""
    # (not `unexpected_index_column_names`: GX then builds a dict per unexpected row, 44 s
    # for 750k bad values in 1.5M rows; the result quotes lines from the frame instead)
    result_format = result_format or {
        "result_format": "SUMMARY",
        "partial_unexpected_count": PARTIAL_UNEXPECTED,
    }
    # ValidationDefinition.run fingerprints the frame once (Batch.validate does it twice); the
    # result lands in the context's store under `key` (GX names the batch <source>-<object>)
    result = definition.run(
        batch_parameters={"dataframe": to_pandas(prepared)},
        expectation_parameters=bounds,
        result_format=result_format,
        run_id=key.run_id,
    )
    kept = result.to_json_dict()
    # GX's pages show unexpected values as they are: what the Data Docs render is escaped
    context.validation_results_store.set(key, docs.escaped_for_html(result))
    return kept
