"""What `rapport run` checks before and after a run: the landing's refused folders, and a
serving file that no longer opens."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import duckdb

from rapport.config import load_config
from rapport.contract import SOURCES, objects_of
from rapport.ingest import loaded_deliveries
from rapport.ingest.landing import unlisted_files
from rapport.nights import night_window
from rapport.paths import Paths, PathsError
from rapport.pending import landing_refusals
from rapport.publish import publish
from rapport.publish_gates import gate_problems
from rapport.safe_output import printable


def check_date(paths: Paths, night: date | None) -> None:
    """A night asked for explicitly (``--date``) outside the plausible window is a bad
    argument (exit 2), not a night with nothing delivered."""
    if night is not None and (why := night_window(paths.lake).refusal(night)):
        raise PathsError(f"--date {night} is {why}")


def report_refusals(paths: Paths, night: date | None = None) -> int:
    """Print one line per refused landing folder on stderr; return how many. A night asked
    for explicitly (``--date``) outside the plausible window is a bad argument."""
    check_date(paths, night)
    refusals = landing_refusals(paths)
    for refusal in refusals:
        print(f"rapport run: refused {printable(refusal.line())}", file=sys.stderr)
    return len(refusals)


def unlisted_lines(paths: Paths, pending: dict[str, list[date]]) -> list[str]:
    """One line per file name in the deliveries a run reads that the contract does not
    know (the file is not read), with the contract file it may have meant."""
    nights_of: dict[tuple[str, str], list[date]] = {}
    for source, nights in pending.items():
        for night in nights:
            for name in unlisted_files(paths.landing, source, night):
                nights_of.setdefault((source, name), []).append(night)
    lines = []
    for (source, name), nights in sorted(nights_of.items()):
        files = [obj.filename for obj in objects_of(source)]
        where = (
            f"{source}/dt={nights[0]}/{name}"
            if len(nights) == 1
            else f"{name} in {len(nights)} {source} deliveries ({min(nights)} .. {max(nights)})"
        )
        meant = next((f for f in files if f.casefold() == name.casefold()), None)
        why = (
            f"file names are exact: did you mean {meant}?"
            if meant
            else (f"not a file of the contract ({', '.join(files)})")
        )
        lines.append(f"not read: {where}: {why}")
    return lines


def serving_problem(serving: Path) -> str | None:
    """Why the serving warehouse does not open as a Rapport warehouse (None if it does or
    does not exist yet)."""
    if not serving.exists():
        return None
    try:
        con = duckdb.connect(str(serving), read_only=True)
        try:
            con.execute("select as_of_date from rapport.publication").fetchall()
        finally:
            con.close()
    except duckdb.Error as e:
        return " ".join(str(e).split())[:200]
    return None


def repair_serving(paths: Paths) -> str | None:
    """Republish the serving file from the build warehouse when it does not open; returns
    what was done, or None when it was fine."""
    problem = serving_problem(paths.warehouse)
    if problem is None:
        return None
    if not paths.build_db.exists():
        raise PathsError(
            f"warehouse {paths.warehouse} cannot be read ({problem}) and there is no build "
            f"warehouse to republish it from: run `rapport run --force --from <first night>`"
        )
    config = load_config()
    publication = publish(
        paths.build_db,
        paths.warehouse,
        config.publish.storage_compatibility_version or None,
        currency=config.money.currency,
        records=paths.records_dir,
    )
    return (
        f"warehouse {paths.warehouse} could not be read ({problem}): republished it from "
        f"{paths.build_db} (night {publication.as_of_date})"
    )


def released_problems(paths: Paths, night_from: date, night_to: date) -> list[str]:
    """What `--release` published despite the gates (rejected files, quarantine, replays)."""
    rule = load_config().quality.gate_rule
    problems = []
    for source in SOURCES:
        nights = [d for d in loaded_deliveries(paths.lake, source) if night_from <= d <= night_to]
        problems += gate_problems(paths.lake, source, nights, rule)
    return problems


_RAW_PART = re.compile(r"raw/(\w+)/(\w+)/dt=(\d{4}-\d{2}-\d{2})/part-0\.parquet")


def repair_hint(message: str) -> str:
    """The failure message, with the repair when it names a raw partition (a corrupt or
    truncated Parquet file is rebuilt from the landing by `--force` on its night)."""
    m = _RAW_PART.search(message)
    if m is None or "rapport run --force" in message:
        return message
    return f"{message} (rebuild {m.group(0)}: `rapport run --force --date {m.group(3)}`)"
