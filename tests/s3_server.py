"""A real S3-compatible server on 127.0.0.1 for the object-store lake's tests: moto's server
mode (HTTP, in a thread of the test process), a bucket in it, and the environment variables
rapport.toml `[lake_store]` names pointing Rapport at it. Every client (s3fs in the run and
in the ingest's child process, DuckDB through fsspec in dbt's process) talks to it over HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

from rapport.config import load_config

KEY_ID = "rapport-test-key"
SECRET = "rapport-test-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str

    def client(self):  # noqa: ANN201 (boto3's client class is generated)
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            region_name=REGION,
        )

    def keys(self, prefix: str = "") -> list[str]:
        """Every object key under `prefix` in the bucket."""
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=prefix)
        )
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def url(self, prefix: str) -> str:
        return f"s3://{self.bucket}/{prefix}"


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """A moto S3 server on a free port of 127.0.0.1 (the system picks it: port 0) with one
    empty bucket. Moto keeps its buckets in the process, across servers: each server gets
    a bucket of its own name, so no test sees what an earlier one in its process wrote."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        found = S3Server(f"http://{host}:{port}", f"rapport-lake-{uuid.uuid4().hex[:12]}")
        found.client().create_bucket(Bucket=found.bucket)
        yield found
    finally:
        server.stop()


def point_rapport_at(server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the variables rapport.toml [lake_store] names (endpoint, key id, secret)."""
    store = load_config().lake_store
    monkeypatch.setenv(store.endpoint_url_env, server.endpoint)
    monkeypatch.setenv(store.access_key_id_env, KEY_ID)
    monkeypatch.setenv(store.secret_access_key_env, SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
