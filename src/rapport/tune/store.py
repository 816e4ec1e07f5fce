"""The scorecards an installation applied, versioned beside its lake state.

`<lake>/state/scorecards/` holds one JSON file per proposal that was applied
(`tune-0001.json`, ...) and `applied.json`, the stack of applied versions (the last is
active). `--revert` pops the stack; an empty stack means the repo's seed (`default`).
Nothing here touches the repo: the seed stays the default for new installations.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

DEFAULT_VERSION = "default"


def scorecards_dir(lake: Path) -> Path:
    return lake / "state" / "scorecards"


def _stack_path(lake: Path) -> Path:
    return scorecards_dir(lake) / "applied.json"


def _write_json(path: Path, data: Any) -> None:
    """Atomically: a run reading the state never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def applied_stack(lake: Path) -> list[str]:
    path = _stack_path(lake)
    return json.loads(path.read_text())["applied"] if path.exists() else []


def next_version(lake: Path) -> str:
    taken = [p.stem for p in scorecards_dir(lake).glob("tune-*.json")]
    numbers = [int(v.split("-")[1]) for v in taken if v.split("-")[1].isdigit()]
    return f"tune-{max(numbers, default=0) + 1:04d}"


def load_scorecard(lake: Path, version: str) -> dict[str, Any]:
    return json.loads((scorecards_dir(lake) / f"{version}.json").read_text())


def active_scorecard(lake: Path) -> dict[str, Any] | None:
    """The scorecard the next run scores with; None = the repo's seed."""
    stack = applied_stack(lake)
    return load_scorecard(lake, stack[-1]) if stack else None


def apply(lake: Path, scorecard: dict[str, Any]) -> str:
    """Store the scorecard under a new version and make it the active one."""
    version = next_version(lake)
    card = {**scorecard, "version": version}
    _write_json(scorecards_dir(lake) / f"{version}.json", card)
    _write_json(_stack_path(lake), {"applied": [*applied_stack(lake), version]})
    return version


def revert(lake: Path) -> str:
    """Go back one applied version; returns the version now active."""
    stack = applied_stack(lake)
    if not stack:
        raise LookupError("no tuned scorecard is applied: the default is already active")
    stack.pop()
    _write_json(_stack_path(lake), {"applied": stack})
    return stack[-1] if stack else DEFAULT_VERSION


def dbt_vars(lake: Path) -> dict[str, Any]:
    """The dbt vars that make a run score with the active scorecard (none for the seed)."""
    card = active_scorecard(lake)
    if card is None:
        return {}
    return {
        "scorecard": {"version": card["version"], "weights": card["weights"]},
        "high_risk_threshold": card["thresholds"]["high"],
        "medium_risk_threshold": card["thresholds"]["medium"],
    }
