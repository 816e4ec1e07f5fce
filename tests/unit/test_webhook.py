"""Posting to a webhook: delivered, refused, slow, unreachable; never raises, never waits long."""

from __future__ import annotations

import socket
import time

from rapport.webhook import post_json
from tests.webhook_server import webhook_server


def test_a_post_arrives_as_json() -> None:
    with webhook_server() as (url, received):
        result = post_json(url, {"text": "hello"}, timeout=5)
    assert result.ok and result.detail == "HTTP 200"
    assert received == [{"text": "hello"}]


def test_a_refusing_webhook_is_reported_not_raised() -> None:
    with webhook_server(status=500) as (url, received):
        result = post_json(url, {"text": "x"}, timeout=5)
    assert not result.ok
    assert result.detail.startswith("HTTP 500")
    assert len(received) == 1


def test_a_slow_webhook_is_abandoned_at_the_timeout() -> None:
    with webhook_server(delay=5) as (url, _):
        started = time.monotonic()
        result = post_json(url, {"text": "x"}, timeout=0.5)
        elapsed = time.monotonic() - started
    assert not result.ok
    assert "timed out after 0.5s" in result.detail
    assert elapsed < 2


def test_nothing_listening_is_reported() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = post_json(f"http://127.0.0.1:{port}/hook", {"text": "x"}, timeout=2)
    assert not result.ok
    assert result.detail.startswith("failed")
