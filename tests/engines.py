"""Which engines a test can run here: Spark needs the `spark` extra and a Java runtime (CI
installs both; `.ci/run`)."""

from __future__ import annotations

import importlib.util
import shutil

import pytest


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "Spark needs a Java runtime: apt-get install openjdk-17-jre-headless"
    if importlib.util.find_spec("pyspark") is None:
        return "Spark needs the spark extra: uv sync --extra spark"
    return None


#: for tests that run Spark: skipped, saying why, where it cannot run; in the full lane
needs_spark = [
    pytest.mark.skipif(spark_missing() is not None, reason=spark_missing() or ""),
    pytest.mark.slow,
]

#: both engines, as a parameter
ENGINES = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("spark", id="spark", marks=needs_spark),
]
