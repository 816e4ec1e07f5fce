"""A suite's Data Docs page is rendered when its suite changed or the page is missing, not on
every night (real GX)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from rapport.contract import get_object
from rapport.quality import validate_night
from rapport.quality.docs import suite_fingerprint
from tests.raw_zone_builder import NIGHT, clean, write

OBJ = get_object("surveys", "responses")


def _night(tmp_path: Path, k: int) -> None:
    night = NIGHT + timedelta(days=k)
    write(tmp_path / "lake", "surveys", night, clean("surveys", night=night))
    (outcome,) = validate_night(tmp_path / "lake", tmp_path / "quality", "surveys", night)
    assert outcome.success and not outcome.warnings, outcome.summary()


def test_a_suite_page_is_rendered_again_only_when_its_suite_changed_or_it_is_missing(
    tmp_path: Path,
) -> None:
    page = tmp_path / "quality" / "data_docs" / "expectations" / "surveys" / "responses.html"
    record = tmp_path / "quality" / "suites" / "surveys.responses.sha256"
    _night(tmp_path, 0)
    assert "ResponseId" in page.read_text() and "never be null" in page.read_text()
    assert record.read_text() == suite_fingerprint(OBJ)
    first = page.read_text()

    _night(tmp_path, 1)  # same suite: the page is left as it was (GX stamps each render)
    assert page.read_text() == first

    record.write_text("a suite of an earlier contract")
    _night(tmp_path, 2)
    assert page.read_text() != first
    assert record.read_text() == suite_fingerprint(OBJ)

    page.unlink()
    _night(tmp_path, 3)
    assert page.is_file()
    # each night's validation page is rendered whatever happens to the suites
    validations = tmp_path / "quality" / "data_docs" / "validations" / "surveys"
    assert len(list(validations.rglob("*.html"))) == 4
