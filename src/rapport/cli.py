"""`rapport`: generate demo extracts, run nights through Dagster, read the results.

Exit codes: 0 success; 1 the run or a gate failed; 2 bad arguments or configuration.
Failures print one line on stderr saying why.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from rapport import revops_cli
from rapport.settings import Paths, SettingsError

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


def _run(args: argparse.Namespace) -> int:
    from rapport.runner import execute, plan_run

    paths = Paths.resolve(args.warehouse, landing=args.landing, lake=args.lake)
    if args.night_to and not args.night_from:
        raise SettingsError("--to needs --from")
    plan = plan_run(paths, args.date, args.night_from, args.night_to)
    if plan is None:
        print(f"nothing to do: every complete delivery in {paths.landing} is loaded")
        return 0
    print(f"running {plan.describe()}", flush=True)
    outcome = execute(
        paths,
        plan,
        force=args.force,
        release=args.release,
        log_level="DEBUG" if args.verbose else "WARNING",
    )
    if not outcome.success:
        print(
            f"rapport run failed: {outcome.message} (Dagster run {outcome.run_id})", file=sys.stderr
        )
        return 1
    print(f"{outcome.message}; published {paths.warehouse} (Dagster run {outcome.run_id})")
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


COMMANDS = {
    "generate": _generate,
    "run": _run,
    "watchlist": _watchlist,
    "quarantine": _quarantine,
    **revops_cli.COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    program_run = argv is None and args.command == "run"
    if program_run:
        # No cyclic garbage collection while Dagster, dbt and the definitions are imported
        # and built (~0.5 s of CPU); `execute` freezes what they allocated and turns it back on.
        gc.disable()
    try:
        code = COMMANDS[args.command](args)
    except (SettingsError, FileNotFoundError) as exc:
        print(f"rapport {args.command}: {exc}", file=sys.stderr)
        code = 2
    if program_run:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown (1.6-1.8 s of finalizing Dagster's,
    dbt's and GX's objects after a night). Only when `rapport run` is the program (not when
    `main` is called with arguments, as tests do), after the run has returned: the Dagster
    instance is closed, dbt has exited, the lake's and the warehouse's files were written and
    fsynced. What is left is run here: the exit handlers (logging's flush, multiprocessing's
    finalizers, which release the named semaphores dbt created; without them the resource
    tracker warns about "leaked semaphore objects") and flushing the console."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
