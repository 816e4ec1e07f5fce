"""Test session setup: the dbt manifest, the two lanes, and the built states tests copy.

Lanes (README, "Tests"): `make test` runs the fast lane, `pytest -m "not full"`: unit
tests, dbt tests on fixtures and the one smoke night (tests/e2e marked `smoke`).
`make test-all` runs everything. Every test under tests/e2e is `full` unless marked
`smoke`; a test marked `slow` anywhere is `full` too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rapport.manifest import ensure_manifest
from tests.pipeline_helpers import BuiltStates

E2E = Path(__file__).parent / "e2e"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reverse",
        action="store_true",
        help="run the collected tests in reverse order (checks that tests are independent)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Test modules import the Dagster definitions, and @dbt_assets reads the dbt manifest
    at import: build it (dbt parse) before collection, as `rapport run` does."""
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    ensure_manifest()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        in_e2e = E2E in Path(str(item.fspath)).parents
        if (in_e2e and item.get_closest_marker("smoke") is None) or item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.full)
    if config.getoption("--reverse"):
        items.reverse()


@pytest.fixture(scope="session")
def built_states(tmp_path_factory: pytest.TempPathFactory) -> BuiltStates:
    """Installations built once per session; `built_states.copy(...)` gives a test its own."""
    return BuiltStates(tmp_path_factory.mktemp("built"))
