"""Parse the dbt project once: the night window outside `--vars`, and one parse shared by
every dbt invocation of an installation.

dbt re-parses the whole project whenever `--vars`, the profile or the target differ from the
parse it saved (`partial_parse.msgpack` in the target folder). Every invocation of a run
passes the same `--vars`; the nights go as dbt's event-time flags, which partial parsing does
not track (dbt_project/macros/night_window.sql reads them). Each step keeps its own target
folder (its run_results.json and manifest.json), so each starts from the latest parse any of
them wrote. dbt still checks that parse against the project, vars and profile, and parses
again when they changed: reusing it is never less correct than parsing.
"""

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

PARSE_FILE = "partial_parse.msgpack"


def night_window_args(night_from: date, night_to: date) -> list[str]:
    """dbt's flags for the nights `night_from` .. `night_to` (inclusive): event-time start at
    the first night, end the day after the last (dbt's end is exclusive)."""
    return [
        "--event-time-start",
        night_from.isoformat(),
        "--event-time-end",
        (night_to + timedelta(days=1)).isoformat(),
    ]


def reuse_latest_parse(target: Path, targets: Path) -> Path | None:
    """Copy the most recently written parse among the step folders under `targets` into the
    step's `target` folder, unless that folder's own parse is the latest; returns the parse
    copied (None: nothing to copy). The copy is atomic (written aside, then renamed)."""
    parses = [p for p in targets.glob(f"*/{PARSE_FILE}") if p.is_file()]
    if not parses:
        return None
    latest = max(parses, key=lambda p: p.stat().st_mtime_ns)
    own = target / PARSE_FILE
    if latest == own or (own.is_file() and own.stat().st_mtime_ns >= latest.stat().st_mtime_ns):
        return None
    target.mkdir(parents=True, exist_ok=True)
    aside = target / f".{PARSE_FILE}.copying"
    shutil.copy2(latest, aside)  # keeps the mtime: the copy is not "newer" than its source
    os.replace(aside, own)
    return latest
