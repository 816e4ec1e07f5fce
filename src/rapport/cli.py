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


def _run(args: argparse.Namespace) -> int:
    from rapport.config import load_config
    from rapport.lake_lock import lake_lock
    from rapport.run_guard import released_problems, repair_serving, report_refusals
    from rapport.runner import execute, plan_run
    from rapport.safe_output import printable

    paths = Paths.resolve(args.warehouse, landing=args.landing, lake=args.lake)
    if args.night_to and not args.night_from:
        raise SettingsError("--to needs --from")
    paths.require_landing()
    with lake_lock(paths.lake, load_config().runs.lock_wait_seconds) as lock:
        refused = report_refusals(paths, args.date)
        plan = plan_run(paths, args.date, args.night_from, args.night_to)
        if plan is None:
            if repaired := repair_serving(paths):
                print(repaired)
            print(f"nothing to do: every complete delivery in {paths.landing} is loaded")
            return _refused_exit(refused, 0)
        print(f"running {plan.describe()}", flush=True)
        outcome = execute(
            paths,
            plan,
            force=args.force,
            release=args.release,
            # the console shows the one-line verdict; every event, stack traces included,
            # stays in the Dagster instance (and on the console with --verbose)
            log_level="DEBUG" if args.verbose else "CRITICAL",
            run_id=lock.run_id,
        )
        if outcome.success and args.release:
            for problem in released_problems(paths, plan.night_from, plan.night_to):
                print(f"released: {printable(problem)}")
    if not outcome.success:
        message = printable(outcome.message)
        print(f"rapport run failed: {message} (Dagster run {outcome.run_id})", file=sys.stderr)
        return 1
    print(f"{outcome.message}; published {paths.warehouse} (Dagster run {outcome.run_id})")
    return _refused_exit(refused, 0)


def _refused_exit(refused: int, code: int) -> int:
    """A run that had to refuse landing folders exits 1 (after running the rest)."""
    if refused and code == 0:
        print(
            f"rapport run: {refused} landing folder(s) refused (listed above); the other "
            "deliveries were run",
            file=sys.stderr,
        )
        return 1
    return code


def _retract(args: argparse.Namespace) -> int:
    from rapport.config import load_config
    from rapport.deliveries import all_pending
    from rapport.lake_lock import lake_lock
    from rapport.retract import loaded_nights, retract_night
    from rapport.runner import RunPlan, execute

    paths = Paths.resolve(args.warehouse, landing=args.landing, lake=args.lake)
    paths.require_landing()
    sources = (args.source,) if args.source else SOURCES
    with lake_lock(paths.lake, load_config().runs.lock_wait_seconds, "rapport retract") as lock:
        removed = retract_night(paths, args.date, sources)
        if not removed:
            raise SettingsError(
                f"night {args.date} is not loaded in {paths.lake}: nothing to retract"
            )
        print(f"retracted {', '.join(removed)}; rebuilding every night still loaded", flush=True)
        nights = loaded_nights(paths.lake)
        if not nights:
            print("no night is loaded any more: the serving warehouse was left as it was")
            return 0
        window = (nights[0], nights[-1])
        plan = RunPlan(nights[0], nights[-1], all_pending(paths, window))
        outcome = execute(paths, plan, run_id=lock.run_id)
    if not outcome.success:
        print(
            f"rapport retract: the night is out of the lake, but the rebuild failed: "
            f"{outcome.message} (Dagster run {outcome.run_id}); the serving warehouse still "
            "holds it until a run succeeds",
            file=sys.stderr,
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
    "retract": _retract,
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
    except (SettingsError, FileNotFoundError, LakeBusy) as exc:
        print(f"rapport {args.command}: {printable(exc)}", file=sys.stderr)
        code = 2
    except Exception as exc:
        if not _is_verdict(exc):
            raise
        print(f"rapport {args.command}: {printable(exc)}", file=sys.stderr)
        code = 1
    if program_run:
        _exit_now(code)
    return code


def _is_verdict(exc: Exception) -> bool:
    """An error whose message is the whole story (a refused delivery, a file Rapport keeps
    that cannot be read): one line, no traceback. The ingest is imported only if it raised."""
    ingest = sys.modules.get("rapport.ingest.model")
    return isinstance(exc, UnreadableState) or (
        ingest is not None and isinstance(exc, ingest.IngestError)
    )


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
