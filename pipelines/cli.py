"""The `rapport` program: the library's commands (`rapport.cli`) plus `run`, which runs
nights through Dagster. Dagster is imported only when `run` is."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rapport import cli
from rapport.plan import plan_run
from rapport.settings import Paths, SettingsError


def run(args: argparse.Namespace) -> int:
    """`rapport run`: plan the nights, then one Dagster run over them."""
    paths = Paths.resolve(args.warehouse, landing=args.landing, lake=args.lake)
    if args.night_to and not args.night_from:
        raise SettingsError("--to needs --from")
    plan = plan_run(paths, args.date, args.night_from, args.night_to)
    if plan is None:
        print(f"nothing to do: every complete delivery in {paths.landing} is loaded")
        return 0
    print(f"running {plan.describe()}", flush=True)

    from rapport.manifest import ensure_manifest

    # @dbt_assets reads dbt's manifest when the definitions are imported: parse first
    ensure_manifest()
    from pipelines.execute import execute

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


COMMANDS: dict[str, cli.Command] = {**cli.COMMANDS, "run": run}


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
