"""Exported nights copied to an object-store lake (moto's S3 server on 127.0.0.1): the files,
the marker last, an export of the same night again replacing the old files, old nights
pruned."""

from __future__ import annotations

import pytest

from rapport.config import load_config
from rapport.exports import Export, copy_night_to_store
from rapport.raw_zone import filesystem
from tests.s3_server import point_rapport_at, s3_server


@pytest.fixture
def s3(monkeypatch):
    with s3_server() as server:
        point_rapport_at(server, monkeypatch)
        yield server


def _export(tmp_path, night: str, names: list[str]) -> Export:
    folder = tmp_path / "exports" / night
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(f"{night} {name}")
    return Export(folder, tuple(folder / n for n in names))


def test_a_night_is_copied_with_its_marker_last_and_replaced_whole(tmp_path, s3):
    url = s3.url("lake/exports")
    fs = filesystem(url, load_config().lake_store)

    first = copy_night_to_store(
        _export(tmp_path, "2026-10-01", ["a.parquet", "b.parquet"]), url, fs
    )

    assert first == f"{url}/2026-10-01"
    assert s3.keys("lake/exports/") == [
        "lake/exports/2026-10-01/_SUCCESS",
        "lake/exports/2026-10-01/a.parquet",
        "lake/exports/2026-10-01/b.parquet",
    ]
    # the same night exported again without b: b is gone, a is the new file
    (tmp_path / "exports" / "2026-10-01" / "b.parquet").unlink()
    again = _export(tmp_path, "2026-10-01", ["a.parquet"])
    (again.folder / "a.parquet").write_text("new")
    copy_night_to_store(again, url, fs)
    assert s3.keys("lake/exports/") == [
        "lake/exports/2026-10-01/_SUCCESS",
        "lake/exports/2026-10-01/a.parquet",
    ]
    body = s3.client().get_object(Bucket=s3.bucket, Key="lake/exports/2026-10-01/a.parquet")
    assert body["Body"].read() == b"new"


def test_only_the_latest_nights_are_kept(tmp_path, s3):
    url = s3.url("lake/exports")
    fs = filesystem(url, load_config().lake_store)
    for night in ("2026-10-01", "2026-10-02", "2026-10-03"):
        copy_night_to_store(_export(tmp_path, night, ["a.parquet"]), url, fs, keep_nights=2)

    nights = {k.split("/")[2] for k in s3.keys("lake/exports/")}
    assert nights == {"2026-10-02", "2026-10-03"}
