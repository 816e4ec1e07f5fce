"""Test session setup: the dbt manifest the Dagster definitions need."""

from __future__ import annotations

import os

import pytest

from rapport.manifest import ensure_manifest


def pytest_configure(config: pytest.Config) -> None:
    """Test modules import the Dagster definitions, and @dbt_assets reads the dbt manifest
    at import: build it (dbt parse) before collection, as `rapport run` does."""
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    ensure_manifest()
