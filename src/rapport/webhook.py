"""Posting a JSON message to a webhook, bounded by a timeout that nothing can stretch.

`urllib`'s own timeout applies to each socket operation, so a server that trickles its
answer could hold a caller for longer; the post runs in a daemon thread and the caller
waits for it at most `timeout` seconds (plus a short grace to collect the thread).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class PostResult:
    ok: bool
    detail: str  # "HTTP 200", "HTTP 500: ...", "timed out after 5s", "connection refused", ...


def post_json(url: str, payload: dict, timeout: float) -> PostResult:
    """POST `payload` as JSON; never raises, never waits past `timeout`."""
    outcome: list[PostResult] = []

    def _post() -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", "User-Agent": "rapport"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                outcome.append(PostResult(200 <= response.status < 300, f"HTTP {response.status}"))
        except urllib.error.HTTPError as exc:
            outcome.append(PostResult(False, f"HTTP {exc.code} {exc.reason}"))
        except TimeoutError:
            outcome.append(PostResult(False, f"timed out after {timeout:g}s"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            outcome.append(PostResult(False, f"failed: {reason}"))

    worker = threading.Thread(target=_post, name="rapport-webhook", daemon=True)
    worker.start()
    worker.join(timeout)
    if outcome:
        return outcome[0]
    return PostResult(False, f"timed out after {timeout:g}s")
