"""Overrides: a person pins an account's quadrant or risk tier, with a reason, an author and
an expiry.

They live in the installation's records (`<records>/`, beside the lake, so a rebuilt lake
keeps them) as a versioned log, `overrides.jsonl`: one line per change (`add` or `remove`),
never rewritten, each with its version number. The overrides in force are derived from it
and written to `overrides.parquet`, which dbt reads (`stg_rapport__overrides`); the marts
apply an override to the nights from its `effective_from` through its `expires_on`, so it
lapses by itself.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from rapport.salesforce_ids import case_safe_id

LOG = "overrides.jsonl"
ACTIVE = "overrides.parquet"
QUADRANTS = ("truly_loyal", "accessible", "trapped", "high_risk")
RISK_TIERS = ("low", "medium", "high")
SCHEMA = {
    "account_id": pl.String,
    "quadrant": pl.String,
    "risk_tier": pl.String,
    "reason": pl.String,
    "author": pl.String,
    "effective_from": pl.Date,
    "expires_on": pl.Date,
    "version": pl.Int64,
    "recorded_at": pl.Datetime("us"),
}


class OverrideError(ValueError):
    """An override that cannot be recorded; the message says why."""


@dataclass(frozen=True)
class Override:
    account_id: str
    quadrant: str | None
    risk_tier: str | None
    reason: str
    author: str
    effective_from: date
    expires_on: date
    version: int
    recorded_at: datetime

    def status(self, night: date) -> str:
        if night > self.expires_on:
            return "expired"
        if night < self.effective_from:
            return "scheduled"
        return "in force"


def _read_log(records: Path) -> list[dict]:
    """The log's entries, each checked as `add` and `remove` write them: a line edited by
    hand that they would not have written is refused with its file and line."""
    path = records / LOG
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise OverrideError(f"{path}:{number}: not a JSON line ({exc.msg})") from exc
        if problem := _entry_problem(entry):
            raise OverrideError(f"{path}:{number}: {problem}")
        entries.append(entry)
    return entries


_NEEDS = {
    "add": ("version", "account_id", "reason", "author", "effective_from", "expires_on"),
    "remove": ("version", "account_id", "author"),
}


def _entry_problem(entry: object) -> str | None:
    """Why a log line is not an entry `add` or `remove` would write (None if it is)."""
    if not isinstance(entry, dict):
        return f"not an override entry (a JSON object): {json.dumps(entry)[:60]}"
    action = entry.get("action")
    if action not in _NEEDS:
        return f"action {action!r} is neither 'add' nor 'remove'"
    if missing := [k for k in _NEEDS[action] if entry.get(k) in (None, "")]:
        return f"{action} entry without {', '.join(missing)}"
    if not isinstance(entry["version"], int) or isinstance(entry["version"], bool):
        return f"version {entry['version']!r} is not a whole number"
    try:
        datetime.fromisoformat(str(entry.get("recorded_at")))
    except ValueError:
        return f"recorded_at {entry.get('recorded_at')!r} is not a timestamp"
    if action == "remove":
        return None
    try:
        start, end = (date.fromisoformat(str(entry[k])) for k in ("effective_from", "expires_on"))
    except ValueError as exc:
        return f"effective_from or expires_on is not a date like 2026-11-01 ({exc})"
    quadrant, tier = entry.get("quadrant"), entry.get("risk_tier")
    if quadrant is None and tier is None:
        return "add entry pins neither a quadrant nor a risk tier"
    return _pin_problem(quadrant, tier, start, end)


def _pin_problem(quadrant: str | None, tier: str | None, start: date, end: date) -> str | None:
    """Why what an override pins, and when, cannot be (None if it can)."""
    if quadrant is not None and quadrant not in QUADRANTS:
        return f"quadrant {quadrant!r} is not one of {', '.join(QUADRANTS)}"
    if tier is not None and tier not in RISK_TIERS:
        return f"risk tier {tier!r} is not one of {', '.join(RISK_TIERS)}"
    if end < start:
        return f"it expires ({end}) before it starts ({start})"
    return None


def current(records: Path) -> list[Override]:
    """The overrides not removed: the latest `add` per account (a later add replaces it)."""
    active: dict[str, Override] = {}
    for entry in _read_log(records):
        if entry["action"] == "remove":
            active.pop(entry["account_id"], None)
            continue
        active[entry["account_id"]] = Override(
            account_id=entry["account_id"],
            quadrant=entry.get("quadrant"),
            risk_tier=entry.get("risk_tier"),
            reason=entry["reason"],
            author=entry["author"],
            effective_from=date.fromisoformat(entry["effective_from"]),
            expires_on=date.fromisoformat(entry["expires_on"]),
            version=int(entry["version"]),
            recorded_at=datetime.fromisoformat(entry["recorded_at"]),
        )
    return sorted(active.values(), key=lambda o: o.account_id)


def _append(records: Path, entry: dict) -> int:
    records.mkdir(parents=True, exist_ok=True)
    version = len(_read_log(records)) + 1
    entry = {"version": version, **entry, "recorded_at": datetime.now(UTC).isoformat()}
    with (records / LOG).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    write_active(records)
    return version


def add(
    records: Path,
    account_id: str,
    *,
    quadrant: str | None,
    risk_tier: str | None,
    reason: str,
    author: str,
    effective_from: date,
    expires_on: date,
) -> int:
    """Record an override; returns its version. Replaces the account's earlier one. The
    account's id is stored as the marts hold it (a 15-character Salesforce id as its
    18-character form)."""
    account_id = case_safe_id(account_id.strip())
    if quadrant is None and risk_tier is None:
        raise OverrideError("say what to pin: --quadrant and/or --risk-tier")
    if not reason.strip():
        raise OverrideError("an override needs a reason (--reason)")
    if not author.strip():
        raise OverrideError("an override needs an author (--author)")
    if problem := _pin_problem(quadrant, risk_tier, effective_from, expires_on):
        raise OverrideError(problem)
    return _append(
        records,
        {
            "action": "add",
            "account_id": account_id,
            "quadrant": quadrant,
            "risk_tier": risk_tier,
            "reason": reason.strip(),
            "author": author.strip(),
            "effective_from": effective_from.isoformat(),
            "expires_on": expires_on.isoformat(),
        },
    )


def remove(records: Path, account_id: str, author: str) -> int:
    """Record the removal of the account's override; returns the log version."""
    account_id = case_safe_id(account_id.strip())
    if account_id not in {o.account_id for o in current(records)}:
        raise OverrideError(f"account {account_id} has no override")
    return _append(records, {"action": "remove", "account_id": account_id, "author": author})


def write_active(records: Path) -> Path:
    """`overrides.parquet`, the overrides not removed, for dbt (atomically replaced)."""
    records.mkdir(parents=True, exist_ok=True)
    rows = [asdict(o) for o in current(records)]
    frame = pl.DataFrame(rows, schema=SCHEMA) if rows else pl.DataFrame(schema=SCHEMA)
    target = records / ACTIVE
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    frame.write_parquet(tmp)
    os.replace(tmp, target)
    return target


def ensure_active(records: Path) -> None:
    """dbt reads `overrides.parquet` every run: write it (empty) when there is none yet, and
    again when the log changed after it (restored from a backup, edited by hand), so the
    marts apply what `rapport override list` shows."""
    active, log = records / ACTIVE, records / LOG
    if not active.exists() or (log.exists() and log.stat().st_mtime_ns > active.stat().st_mtime_ns):
        write_active(records)


def history(records: Path) -> list[dict]:
    """Every change, oldest first (the versioned log)."""
    return _read_log(records)
