"""Validate one source's night in the raw zone: one suite per object, results saved as JSON."""

from __future__ import annotations

import json
import logging
import time
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
    delivery_nights,
    drift_bounds,
    read_night,
    scaled_bounds,
    to_pandas,
    with_derived,
)
from rapport.quality.result import ObjectValidation, from_result
from rapport.quality.suites import build_suite

log = logging.getLogger(__name__)

PARTIAL_UNEXPECTED = 20  # unexpected values GX keeps per expectation (Data Docs shows them)


def result_path(quality_dir: Path, source: str, obj: str, night: date) -> Path:
    return quality_dir / "validations" / source / obj / f"dt={night.isoformat()}.json"


def _missing(obj: SourceObject, night: date) -> ObjectValidation:
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


def validate_night(
    lake: Path, quality_dir: Path, source: str, extract_date: date
) -> list[ObjectValidation]:
    """Run each object's suite on the source's raw partitions of ``extract_date``.

    Saves each GX validation result to
    ``<quality_dir>/validations/<source>/<object>/dt=<D>.json`` and updates the Data Docs
    under ``<quality_dir>/data_docs/``. Raises ``FileNotFoundError`` when the raw zone holds
    no delivery of the source for that night.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    objects = objects_of(source)
    nights = delivery_nights(lake, source, objects)
    if extract_date not in nights:
        raise FileNotFoundError(
            f"no delivery of {source} for {extract_date.isoformat()} in {lake / 'raw'}"
        )
    context = _context()
    datasource = context.data_sources.add_pandas(source)
    outcomes: list[ObjectValidation] = []
    keys: list[ValidationResultIdentifier] = []
    for obj in objects:
        started = time.perf_counter()
        suite = context.suites.add(build_suite(obj))  # rendered even when not run tonight
        partition = read_night(lake, obj, extract_date)
        if partition is None:
            outcomes.append(_missing(obj, extract_date))
            continue
        frame, rows = partition
        key = docs.result_key(obj, extract_date)
        result = _run(context, datasource, obj, suite, frame, rows, extract_date, lake, nights, key)
        path = result_path(quality_dir, source, obj.name, extract_date)
        docs.write_atomic(path, json.dumps(result, indent=1))
        outcomes.append(from_result(source, obj.name, extract_date, result, frame, path, rows))
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


def _run(
    context: AbstractDataContext,
    datasource: PandasDatasource,
    obj: SourceObject,
    suite: gx.ExpectationSuite,
    frame: pl.DataFrame,
    rows: int,
    night: date,
    lake: Path,
    nights: list[date],
    key: ValidationResultIdentifier,
) -> dict[str, Any]:
    """Validate one partition; the result (JSON dict) is also kept in the context's store."""
    batch_definition = datasource.add_dataframe_asset(
        obj.name
    ).add_batch_definition_whole_dataframe("night")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=obj.qualified, data=batch_definition, suite=suite)
    )
    prepared = to_pandas(with_derived(frame, obj, night, lake))
    # (not `unexpected_index_column_names`: GX then builds a dict per unexpected row, 44 s
    # for 750k bad values in 1.5M rows; the result quotes lines from the frame instead)
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL_UNEXPECTED}
    # ValidationDefinition.run fingerprints the frame once (Batch.validate does it twice); the
    # result lands in the context's store under `key` (GX names the batch <source>-<object>)
    result = definition.run(
        batch_parameters={"dataframe": prepared},
        expectation_parameters=scaled_bounds(
            drift_bounds(lake, obj, night, nights), frame.height, rows
        ),
        result_format=result_format,
        run_id=key.run_id,
    )
    kept = result.to_json_dict()
    # GX's pages show unexpected values as they are: what the Data Docs render is escaped
    context.validation_results_store.set(key, docs.escaped_for_html(result))
    return kept
