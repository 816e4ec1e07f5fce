"""Shared fixtures: the dbt manifest, and small generated landings run through Dagster."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from rapport.manifest import ensure_manifest


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return ensure_manifest()


@pytest.fixture(scope="session")
def demo_start() -> date:
    return date(2026, 9, 1)
