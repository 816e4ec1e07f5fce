"""The `rapport` program: the library's commands (`rapport.cli`) plus `run`, which runs
nights through Dagster. Dagster is imported only when `run` is."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rapport import cli
from rapport.config import load_config
from rapport.contract import SOURCES
from rapport.deliveries import all_pending
from rapport.lake_lock import lake_lock
from rapport.plan import RunPlan, plan_run
from rapport.retract import loaded_nights, retract_night
from rapport.run_guard import released_problems, repair_hint, repair_serving, report_refusals
from rapport.safe_output import printable
from rapport.settings import Paths, SettingsError


def run(args: argparse.Namespace) -> int:
    """`rapport run`: hold the lake, report refused landing folders, plan the nights, then
    one Dagster run over them."""
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
        execute = _executor()
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
        message = printable(repair_hint(outcome.message))
        print(f"rapport run failed: {message} (Dagster run {outcome.run_id})", file=sys.stderr)
        return 1
    print(f"{outcome.message}; published {paths.warehouse} (Dagster run {outcome.run_id})")
    return _refused_exit(refused, 0)


def _executor():
    """`pipelines.execute.execute`, imported only when a run happens (Dagster is slow to
    import), after dbt's manifest exists (@dbt_assets reads it when defined)."""
    from rapport.manifest import ensure_manifest

    ensure_manifest()
    from pipelines.execute import execute

    return execute


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


def retract(args: argparse.Namespace) -> int:
    """`rapport retract`: take a night out of the lake, then rebuild every night still
    loaded from the raw zone and publish (the marts equal a clean load without it)."""
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
        plan = RunPlan(nights[0], nights[-1], all_pending(paths, (nights[0], nights[-1])))
        outcome = _executor()(paths, plan, log_level="CRITICAL", run_id=lock.run_id)
    if not outcome.success:
        print(
            f"rapport retract: the night is out of the lake, but the rebuild failed: "
            f"{printable(outcome.message)} (Dagster run {outcome.run_id}); the serving "
            "warehouse still holds it until a run succeeds",
            file=sys.stderr,
        )
        return 1
    print(f"{outcome.message}; published {paths.warehouse} (Dagster run {outcome.run_id})")
    return 0


COMMANDS: dict[str, cli.Command] = {**cli.COMMANDS, "run": run, "retract": retract}


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
