"""The `rapport` program: the library's commands (`rapport.cli`) plus `run` and `retract`,
which run nights through Dagster. Dagster is imported only when one of them runs."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from rapport import cli
from rapport.cli_manners import require_warehouse_folder
from rapport.paths import Paths, PathsError
from rapport.raw_zone_home import check_raw_zone


def _execute(*args, **kwargs):
    """`pipelines.execute.execute`, imported (with Dagster and the definitions) on first use."""
    from rapport.dbt_manifest import ensure_dbt_manifest

    # @dbt_assets reads dbt's manifest when the definitions are imported: parse first
    ensure_dbt_manifest()
    from pipelines.execute import execute

    return execute(*args, **kwargs)


def run(args: argparse.Namespace) -> int:
    """`rapport run`: plan the nights, then one Dagster run over them, its progress shown."""
    from rapport.run_console import run_command

    paths = Paths.resolve(args.warehouse, landing=args.landing, lake=args.lake)
    paths.require_landing()
    if args.warehouse != Path(cli.DEFAULT_WAREHOUSE):  # the default's data/ is created
        require_warehouse_folder(paths)
    paths.require_lake()
    check_raw_zone(paths)
    return run_command(args, paths, _execute)


def retract(args: argparse.Namespace) -> int:
    """`rapport retract`: take a night out of the lake, then rebuild every night still loaded."""
    from rapport.config import load_config
    from rapport.contract import SOURCES
    from rapport.lake_lock import lake_lock
    from rapport.pending import all_pending
    from rapport.plan import RunPlan
    from rapport.retract import loaded_nights, retract_night

    paths = Paths.resolve(args.warehouse, landing=args.landing, lake=args.lake)
    paths.require_landing()
    if not paths.lake_url and not paths.lake.is_dir():  # nothing to take out; leave no lock
        raise PathsError(f"night {args.date} is not loaded: there is no lake at {paths.lake}")
    paths.require_lake()
    check_raw_zone(paths)
    sources = (args.source,) if args.source else SOURCES
    with lake_lock(paths.lake, load_config().runs.lock_wait_seconds, "rapport retract") as lock:
        removed = retract_night(paths, args.date, sources)
        if not removed:
            raise PathsError(f"night {args.date} is not loaded in {paths.lake}: nothing to retract")
        print(f"retracted {', '.join(removed)}; rebuilding every night still loaded", flush=True)
        nights = loaded_nights(paths.lake)
        if not nights:
            print("no night is loaded any more: the serving warehouse was left as it was")
            return 0
        window = (nights[0], nights[-1])
        plan = RunPlan(nights[0], nights[-1], all_pending(paths, window))
        outcome = _execute(paths, plan, run_id=lock.run_id)
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


COMMANDS: dict[str, cli.Command] = {**cli.COMMANDS, "run": run, "retract": retract}


def main(argv: Sequence[str] | None = None) -> int:
    # With the spark extra installed, a library that probes for pyspark (imported while the
    # Dagster definitions load, on DuckDB runs too) makes pyspark warn that pandas 3 is newer
    # than it was tested with; dbt-spark does not use pandas, and a run's stderr stays for
    # what needs attention.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    return cli.main(argv, COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
