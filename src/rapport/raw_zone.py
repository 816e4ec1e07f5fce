"""Where the raw zone is: under the local lake, or on an object store, and reading it.

`rapport run --lake s3://bucket/prefix` puts the raw zone (the typed Parquet the engine
reads) at ``s3://bucket/prefix/raw/``; the lake's local part (load records, quarantine, run
state, the build warehouse, scratch) is then ``lake/`` beside the serving warehouse, as for
a run without ``--lake`` (docs/decisions.md, "The lake on shared storage"). Any fsspec
protocol whose package is installed is accepted; ``s3`` (s3fs, the `s3` extra) is the one
configured by rapport.toml ``[lake_store]`` and tested (against a local S3 server).

The layout under the raw zone is `rapport.lake.Lake`'s; this module adds the URL of each
path and the few reads the checks need. Writes are the ingest's (`rapport.ingest.lake_writes`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec
import polars as pl

from rapport.config import LakeStoreConfig
from rapport.lake import DELIVERIES, PART, RAW, SCHEMA_FOLDER, night_folder

_URL = re.compile(r"^([a-z][a-z0-9+.-]*)://(.+)$")
_DT = re.compile(r"dt=(\d{4}-\d{2}-\d{2})$")


def url_protocol(where: str) -> str | None:
    """The protocol of an object-store URL (``s3`` for ``s3://b/p``); None for a local path
    (``file://`` URLs included)."""
    m = _URL.match(where)
    if not m or m[1] == "file":
        return None
    return m[1]


def is_url(where: str | Path) -> bool:
    return isinstance(where, str) and url_protocol(where) is not None


def _set_variables(store: LakeStoreConfig) -> list[tuple[str, str]]:
    """(s3fs option, variable name) of each variable rapport.toml names that is set now."""
    named = (
        ("endpoint_url", store.endpoint_url_env),
        ("key", store.access_key_id_env),
        ("secret", store.secret_access_key_env),
    )
    return [(option, name) for option, name in named if name and os.environ.get(name)]


def s3_options(store: LakeStoreConfig) -> dict[str, Any]:
    """s3fs's options from the environment variables rapport.toml names (read now); a name
    whose variable is unset is left out, so botocore's own chain applies (AWS_* variables,
    ~/.aws, an instance role)."""
    options: dict[str, Any] = {option: os.environ[name] for option, name in _set_variables(store)}
    if store.region:
        options["client_kwargs"] = {"region_name": store.region}
    return options


def profile_filesystem(protocol: str, store: LakeStoreConfig) -> dict[str, Any]:
    """The dbt-duckdb profile's ``filesystems:`` entry: DuckDB reads the raw zone through
    this fsspec filesystem (no httpfs extension needed). Credentials are written as
    ``env_var(...)`` of the names rapport.toml gives, never as values."""
    entry: dict[str, Any] = {"fs": protocol}
    if protocol not in ("s3", "s3a"):
        return entry
    for option, name in _set_variables(store):
        entry[option] = "{{ env_var('" + name + "') }}"
    if store.region:
        entry["client_kwargs"] = {"region_name": store.region}
    return entry


def filesystem(where: str, store: LakeStoreConfig) -> fsspec.AbstractFileSystem:
    """The fsspec filesystem of a URL or local path (fsspec keeps one instance per options;
    listing caches off: other processes write)."""
    protocol = url_protocol(where)
    if protocol is None:
        return fsspec.filesystem("file")
    options = s3_options(store) if protocol in ("s3", "s3a") else {}
    try:
        return fsspec.filesystem(protocol, use_listings_cache=False, **options)
    except ImportError as e:
        raise ImportError(
            f"the lake {where} needs the fsspec package for {protocol}:// ({e}); "
            "for s3:// install the s3 extra: `uv sync --extra s3`"
        ) from None


@dataclass(frozen=True)
class RawZone:
    """The raw zone at ``root``: a local folder (``<lake>/raw``) or an object-store URL
    (``s3://bucket/prefix/raw``). Nothing is created or read when it is made."""

    root: str  # a posix path or a URL, without a trailing slash
    store: LakeStoreConfig = LakeStoreConfig()

    @classmethod
    def under(cls, lake: str | Path, store: LakeStoreConfig | None = None) -> RawZone:
        """The raw zone of a lake given as a local folder or an object-store URL."""
        base = str(lake).rstrip("/") if is_url(lake) else Path(lake).as_posix()
        return cls(f"{base}/{RAW}", store or LakeStoreConfig())

    @property
    def protocol(self) -> str | None:
        return url_protocol(self.root)

    @property
    def remote(self) -> bool:
        return self.protocol is not None

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        """The filesystem the raw zone is on."""
        return filesystem(self.root, self.store)

    def unreachable(self) -> str | None:
        """Why an object-store raw zone cannot be used (its fsspec package missing, the
        bucket missing or out of reach), or None; a local one always can."""
        if not self.remote:
            return None
        bucket = self.root.split("://", 1)[1].split("/", 1)[0]
        try:
            self.fs.info(f"{self.protocol}://{bucket}")
        except ImportError as e:
            return str(e)
        except FileNotFoundError:
            return f"bucket {bucket} does not exist"
        except Exception as e:  # botocore's errors (no endpoint, refused credentials) vary
            return f"{type(e).__name__}: {e}"
        return None

    # locations (URLs when remote, posix paths when local)
    def path(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def object_path(self, source: str, name: str) -> str:
        return self.path(source, name)

    def partition_path(self, source: str, name: str, night: date) -> str:
        return self.path(source, name, night_folder(night))

    def schema_path(self, source: str, name: str) -> str:
        return self.path(source, name, SCHEMA_FOLDER, PART)

    def deliveries_path(self, source: str) -> str:
        return self.path(*DELIVERIES, source)

    def deliveries_partition_path(self, source: str, night: date) -> str:
        return self.path(*DELIVERIES, source, night_folder(night))

    @property
    def deliveries_schema_path(self) -> str:
        return self.path(*DELIVERIES, SCHEMA_FOLDER, SCHEMA_FOLDER, PART)

    # reads
    def exists(self, where: str) -> bool:
        return self.fs.exists(where)

    def nights(self, folder: str) -> set[date]:
        """The nights (``dt=`` folders) in one object's or source's folder."""
        if not self.fs.isdir(folder):
            return set()
        names = (PurePosixPath(p).name for p in self.fs.ls(folder, detail=False))
        return {date.fromisoformat(m[1]) for n in names if (m := _DT.match(n))}

    def files(self, source: str, name: str, night: date) -> list[str]:
        """The Parquet files of one object's night, as paths or URLs."""
        folder = self.partition_path(source, name, night)
        if not self.fs.isdir(folder):
            return []
        found = sorted(p for p in self.fs.ls(folder, detail=False) if p.endswith(".parquet"))
        return [self._qualified(p) for p in found]

    def _qualified(self, listed: str) -> str:
        """fsspec lists object-store paths without the protocol: put it back."""
        protocol = self.protocol
        if protocol is None or listed.startswith(f"{protocol}://"):
            return listed
        return f"{protocol}://{listed}"

    # Remote reads go through pyarrow with the fsspec filesystem (one set of credentials for
    # every reader); pyarrow.dataset and .parquet are imported there only: every `rapport`
    # command imports this module, and they add ~0.1 s to its start.
    def scan(self, files: list[str]) -> pl.LazyFrame:
        if not self.remote:
            return pl.scan_parquet(files)
        import pyarrow.dataset as pads

        return pl.scan_pyarrow_dataset(pads.dataset(files, format="parquet", filesystem=self.fs))

    def row_count(self, files: list[str]) -> int:
        """The files' rows, from their footers."""
        if not self.remote:
            return pl.scan_parquet(files).select(pl.len()).collect().item() if files else 0
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(f, filesystem=self.fs).metadata.num_rows for f in files)

    def columns(self, file: str) -> list[str]:
        if not self.remote:
            return list(pl.read_parquet_schema(file))
        import pyarrow.parquet as pq

        return pq.read_schema(file, filesystem=self.fs).names

    def remove(self, where: str) -> None:
        """Remove a file or a folder (with everything in it)."""
        self.fs.rm(where, recursive=True)
