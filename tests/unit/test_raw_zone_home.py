"""A run never reads another raw zone than the one the loaded nights are in."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rapport.lake import Lake
from rapport.paths import Paths, PathsError
from rapport.raw_zone_home import check_raw_zone


def _paths(tmp_path, lake: str | None = None) -> Paths:
    return Paths.resolve(tmp_path / "w.duckdb", landing=tmp_path / "landing", lake=lake)


def _load_a_night(paths: Paths) -> None:
    record = Lake(paths.lake).load_record("crm", date(2026, 10, 1))
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text("{}")


def test_an_object_store_raw_zone_is_recorded_and_kept(tmp_path):
    first = _paths(tmp_path, "s3://bucket/a")
    check_raw_zone(first)
    state = Lake(first.lake).raw_zone_state
    assert json.loads(state.read_text()) == {"root": "s3://bucket/a/raw"}
    _load_a_night(first)

    check_raw_zone(first)  # the same lake: fine
    with pytest.raises(PathsError) as refused:
        check_raw_zone(_paths(tmp_path, "s3://bucket/b"))
    assert str(refused.value) == (
        f"the nights loaded in {first.lake} are in the raw zone s3://bucket/a/raw, not "
        "s3://bucket/b/raw: run with --lake s3://bucket/a, or, to move them, copy "
        f's3://bucket/a/raw to s3://bucket/b/raw and write {{"root": "s3://bucket/b/raw"}} '
        f"to {state}"
    )
    with pytest.raises(PathsError, match="run with --lake s3://bucket/a"):
        check_raw_zone(_paths(tmp_path))  # the local default is another raw zone too


def test_a_local_lake_with_loaded_nights_is_not_silently_moved_to_a_store(tmp_path):
    local = _paths(tmp_path)
    check_raw_zone(local)
    assert not Lake(local.lake).raw_zone_state.exists()  # a local lake writes nothing
    _load_a_night(local)

    with pytest.raises(PathsError, match=r"are in the raw zone .*/lake/raw, not s3://bucket/a/raw"):
        check_raw_zone(_paths(tmp_path, "s3://bucket/a"))
    state = Lake(local.lake).raw_zone_state  # moved by hand, as the message says
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"root": "s3://bucket/a/raw"}))
    check_raw_zone(_paths(tmp_path, "s3://bucket/a"))


def test_before_any_night_is_loaded_the_lake_may_change(tmp_path):
    check_raw_zone(_paths(tmp_path, "s3://bucket/a"))
    check_raw_zone(_paths(tmp_path, "s3://bucket/b"))
    assert json.loads(Lake(tmp_path / "lake").raw_zone_state.read_text()) == {
        "root": "s3://bucket/b/raw"
    }
    check_raw_zone(_paths(tmp_path))
    assert not Lake(tmp_path / "lake").raw_zone_state.exists()
