"""Fixtures of the ingest's unit tests: an empty landing and lake in tmp_path."""

from pathlib import Path

import pytest


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"
