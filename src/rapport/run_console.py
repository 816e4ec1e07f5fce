"""`rapport run` on the console: what is planned, progress while it runs, one result line.

Without `--verbose`, what dbt and Dagster write to stdout (dbt's 400 lines of a night) goes
to `<lake>/logs/last_run.log` instead of the console; the console shows the condensed
progress (`rapport.progress`). `--quiet` shows nothing but a failure (stderr), for cron.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from datetime import date
from typing import Protocol

from rapport.paths import Paths, PathsError
from rapport.pending import delivered_nights, published_fingerprints, readable_nights
from rapport.plan import RunPlan, plan_run
from rapport.progress import choose_mode, showing_progress
from rapport.safe_output import printable


class Outcome(Protocol):
    success: bool
    run_id: str
    message: str
    warnings: tuple[str, ...]  # the non-blocking checks that failed, one line each


#: runs the plan (`pipelines.execute.execute`): paths, plan, force, release, log_level, run_id,
#: engine
Execute = Callable[..., Outcome]


def _nothing_delivered(paths: Paths, first: date, last: date) -> bool:
    return not any(first <= night <= last for night in delivered_nights(paths))


def _to_load(plan: RunPlan, paths: Paths, force: bool) -> dict[str, int]:
    """Nights each source will load: the pending ones, or every delivered one with --force."""
    if force:
        return {
            source: sum(1 for d in readable_nights(paths, source) if plan.covers(d))
            for source in plan.pending
        }
    return {source: len(nights) for source, nights in plan.to_load().items()}


def _replays(plan: RunPlan, paths: Paths) -> list[str]:
    """The planned deliveries that were published before and changed since (`crm 2026-10-02`):
    a corrected export, whose nights are computed again."""
    published = published_fingerprints(paths.lake)
    return [
        f"{source} {night}"
        for source, nights in plan.to_load().items()
        for night in nights
        if night.isoformat() in published.get(source, {})
    ]


def run_command(args: argparse.Namespace, paths: Paths, execute: Execute) -> int:
    """`rapport run` once its paths are checked: the plan, the run (through `execute`) with
    its progress on the console, and the exit code."""
    from rapport.config import load_config
    from rapport.lake_lock import lake_lock
    from rapport.run_guard import (
        check_date,
        released_problems,
        repair_hint,
        repair_serving,
        report_refusals,
        unlisted_lines,
    )

    if args.night_to and not args.night_from:
        raise PathsError("--to needs --from")
    if args.night_from and args.night_to and args.night_from > args.night_to:
        raise PathsError(f"--from {args.night_from} is after --to {args.night_to}")
    say = (lambda _line: None) if args.quiet else print
    paths.require_landing()
    check_date(paths, args.date)
    if args.date or args.night_from:
        first = args.date or args.night_from
        last = args.date or args.night_to or max(delivered_nights(paths), default=first)
        if _nothing_delivered(paths, first, last):
            when = str(first) if first == last else f"{first} .. {last}"
            say(
                f"nothing was delivered for {when} in {paths.landing} "
                "(no complete delivery: a dt= folder with its _SUCCESS marker); nothing run, "
                f"{paths.warehouse} unchanged"
            )
            return 0
    with lake_lock(paths.lake, load_config().runs.lock_wait_seconds) as lock:
        refused = report_refusals(paths, args.date)
        plan = plan_run(paths, args.date, args.night_from, args.night_to)
        if plan is None:
            if repaired := repair_serving(paths):
                say(repaired)
            say(f"nothing to do: every complete delivery in {paths.landing} is loaded")
            return _refused_exit(refused, 0)
        for line in unlisted_lines(paths, plan.pending):
            print(f"rapport run: {printable(line)}", file=sys.stderr)
        if args.force:
            again = ", ".join(f"{s}: {n}" for s, n in _to_load(plan, paths, True).items() if n)
            say(
                f"running nights {plan.night_from} .. {plan.night_to} (--force: every delivery "
                f"of the range is loaded again: {again or 'none'})"
            )
        else:
            say(f"running {plan.describe()}")
            if replays := _replays(plan, paths):
                say(f"- replays (changed since they were published): {', '.join(replays)}")
        if not args.quiet:
            say("- starting Dagster (loading the pipeline definitions)")
        sys.stdout.flush()
        outcome = _execute_showing_progress(args, paths, plan, lock.run_id, execute)
        if outcome.success and args.release:
            for problem in released_problems(paths, plan.night_from, plan.night_to):
                say(f"released: {printable(problem)}")
    if not outcome.success:
        message = printable(repair_hint(outcome.message))
        print(f"rapport run failed: {message} (Dagster run {outcome.run_id})", file=sys.stderr)
        return 1
    for warning in outcome.warnings:
        say(f"warning: {printable(warning)}")
    say(f"{outcome.message}; published {paths.warehouse} (Dagster run {outcome.run_id})")
    return _refused_exit(refused, 0)


def _execute_showing_progress(
    args: argparse.Namespace, paths: Paths, plan: RunPlan, run_id: str, execute: Execute
) -> Outcome:
    console = sys.stdout
    mode = choose_mode(console, args.quiet)
    with contextlib.ExitStack() as stack:
        if args.verbose:
            mode = "quiet" if args.quiet else "plain"
        else:
            log_path = paths.lake_layout.run_log
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = stack.enter_context(log_path.open("w", encoding="utf-8"))
            stack.enter_context(contextlib.redirect_stdout(log))
        stack.enter_context(showing_progress(_to_load(plan, paths, args.force), console, mode))
        return execute(
            paths,
            plan,
            force=args.force,
            release=args.release,
            # the console shows the one-line verdict; every event, stack traces included,
            # stays in the Dagster instance (and on the console with --verbose)
            log_level="DEBUG" if args.verbose else "CRITICAL",
            run_id=run_id,
            engine=args.engine or "",
        )


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
