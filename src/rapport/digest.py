"""One sha256 for a JSON-able value: how a cached artefact records what it was made from."""

from __future__ import annotations

import hashlib
import json


def json_digest(value: object) -> str:
    """sha256 of ``value`` as canonical JSON (sorted keys; dates and paths as text)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
