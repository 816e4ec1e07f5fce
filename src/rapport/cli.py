"""`rapport`: generate demo extracts, run nights through Dagster, read the results.

Exit codes: 0 success; 1 the run or a gate failed; 2 bad arguments or configuration.
Failures print one line on stderr saying why.

The library's commands are here; `run` (Dagster) is added by the orchestration package,
whose `pipelines.cli.main` is the `rapport` program: this library never imports Dagster.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from rapport import revops_cli
from rapport.contract import SOURCES
from rapport.lake_lock import LakeBusy
from rapport.safe_output import printable
from rapport.settings import Paths, SettingsError
from rapport.state_errors import UnreadableState

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from exc


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a positive integer")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapport", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write demo extracts that follow the extract contract")
    gen.add_argument("--out", type=Path, required=True, help="landing folder to write")
    gen.add_argument("--accounts", type=_positive, default=2000)
    gen.add_argument("--start", type=_date, required=True, help="first extract date (full load)")
    gen.add_argument("--days", type=_positive, default=28, help="number of nightly deliveries")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--labels", type=Path, help="true outcomes (default: labels.csv beside --out)")

    run = sub.add_parser("run", help="load deliveries and compute nights through Dagster")
    run.add_argument("--landing", type=Path, required=True)
    run.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE))
    run.add_argument(
        "--lake", type=Path, help="raw zone and run state (default: lake/ beside the warehouse)"
    )
    when = run.add_mutually_exclusive_group()
    when.add_argument("--date", type=_date, help="run this one night")
    when.add_argument("--from", dest="night_from", type=_date, help="first night of a backfill")
    run.add_argument("--to", dest="night_to", type=_date, help="last night of a backfill")
    run.add_argument("--force", action="store_true", help="reload deliveries even if unchanged")
    run.add_argument(
        "--verbose",
        action="store_true",
        help="show every event of the run (steps, checks, dbt) on the console",
    )
    run.add_argument(
        "--release",
        action="store_true",
        help="publish despite rejected files or quarantine over the threshold (still reported)",
    )

    rt = sub.add_parser(
        "retract", help="take a wrongly loaded night back out of the lake and the marts"
    )
    rt.add_argument("--date", type=_date, required=True, help="the night to take out")
    rt.add_argument("--source", choices=SOURCES, help="only this source's delivery (default: all)")
    rt.add_argument("--landing", type=Path, required=True)
    rt.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE))
    rt.add_argument("--lake", type=Path, help="default: lake/ beside the warehouse")

    wl = sub.add_parser("watchlist", help="print the satisfied-but-at-risk accounts")
    wl.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE))
    wl.add_argument("--limit", type=_positive)
    wl.add_argument("--format", choices=("table", "csv", "json"), default="table")
    wl.add_argument("--owner", help="only this relationship owner (name or CRM user id)")
    wl.add_argument(
        "--renewal-within", dest="renewal_within", type=int, help="renewal in 0..DAYS days"
    )
    wl.add_argument("--min-arr", dest="min_arr", type=float, help="ARR at least this")
    qu = sub.add_parser("quarantine", help="list quarantined rows and rejected files")
    qu.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE))
    qu.add_argument("--lake", type=Path, help="default: lake/ beside the warehouse")
    qu.add_argument("--date", type=_date, help="only this extract date")
    qu.add_argument("--format", choices=("table", "json"), default="table")
    revops_cli.add_parsers(sub)
    return parser


def _generate(args: argparse.Namespace) -> int:
    from rapport.generate import generate

    labels = args.labels or args.out.resolve().parent / "labels.csv"
    summary = generate(args.out, args.accounts, args.start, args.days, args.seed, labels=labels)
    print(summary)
    return 0


def _watchlist(args: argparse.Namespace) -> int:
    from rapport.watchlist import WatchlistFilter, read_watchlist, render

    filters = WatchlistFilter(args.owner, args.renewal_within, args.min_arr)
    print(render(read_watchlist(args.warehouse.resolve(), args.limit, filters), args.format))
    return 0


def _quarantine(args: argparse.Namespace) -> int:
    from rapport.quarantine import read_quarantine, render

    paths = Paths.resolve(args.warehouse, lake=args.lake)
    print(render(read_quarantine(paths.lake, args.date), args.format))
    return 0


Command = Callable[[argparse.Namespace], int]

#: the library's commands; `run` and `retract` are registered by `pipelines.cli`
COMMANDS: dict[str, Command] = {
    "generate": _generate,
    "watchlist": _watchlist,
    "quarantine": _quarantine,
    **revops_cli.COMMANDS,
}


def main(argv: Sequence[str] | None = None, commands: Mapping[str, Command] = COMMANDS) -> int:
    """Parse `argv` and run its command; the exit code."""
    args = _parser().parse_args(argv)
    command = commands.get(args.command)
    if command is None:
        print(
            f"rapport {args.command}: this command is run by the `rapport` program "
            "(pipelines.cli), not by the library's CLI",
            file=sys.stderr,
        )
        return 2
    try:
        return command(args)
    except (SettingsError, FileNotFoundError, LakeBusy) as exc:
        print(f"rapport {args.command}: {printable(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not _is_verdict(exc):
            raise
        print(f"rapport {args.command}: {printable(exc)}", file=sys.stderr)
        return 1


def _is_verdict(exc: Exception) -> bool:
    """An error whose message is the whole story (a refused delivery, a file Rapport keeps
    that cannot be read): one line, no traceback. The ingest is imported only if it raised."""
    ingest = sys.modules.get("rapport.ingest.model")
    return isinstance(exc, UnreadableState) or (
        ingest is not None and isinstance(exc, ingest.IngestError)
    )


if __name__ == "__main__":
    sys.exit(main())
