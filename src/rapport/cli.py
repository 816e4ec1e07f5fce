"""`rapport`: generate demo extracts, run nights through Dagster, read the results.

Exit codes: 0 success; 1 the run or a gate failed; 2 bad arguments or configuration.
Failures print one line on stderr saying why.

The library's commands are here; `run` (Dagster) is added by the orchestration package,
whose `pipelines.cli.main` is the `rapport` program: this library never imports Dagster.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from rapport import revops_cli
from rapport.cli_manners import (
    DefaultsFormatter,
    ReaderWentAway,
    closed_pipe_ends_quietly,
    iso_date,
    non_negative_int,
    positive_int,
    require_installation,
)
from rapport.config import ConfigError
from rapport.contract import SOURCES
from rapport.lake_lock import LakeBusy
from rapport.paths import Paths, PathsError
from rapport.project import CONFIG_ENV
from rapport.safe_output import printable
from rapport.state_errors import UnreadableState

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
WAREHOUSE_HELP = "the serving DuckDB file; run state lives beside it"


def _version() -> str:
    from importlib.metadata import version

    return version("rapport")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rapport", description=__doc__.splitlines()[0], formatter_class=DefaultsFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--config",
        type=Path,
        help=f"this installation's rapport.toml (default: ${CONFIG_ENV} if set, else the "
        "project's own)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=DefaultsFormatter)

    gen = command("generate", "write demo extracts that follow the extract contract")
    gen.add_argument("--out", type=Path, required=True, help="landing folder to write")
    gen.add_argument("--accounts", type=positive_int, default=2000, help="number of accounts")
    gen.add_argument("--start", type=iso_date, required=True, help="first extract date (full load)")
    gen.add_argument("--days", type=positive_int, default=28, help="number of nightly deliveries")
    gen.add_argument("--seed", type=int, default=7, help="random seed: same seed, same extracts")
    gen.add_argument("--labels", type=Path, help="true outcomes (default: labels.csv beside --out)")
    into = gen.add_mutually_exclusive_group()
    into.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the deliveries already in --out (default: refuse a non-empty landing)",
    )
    into.add_argument(
        "--append",
        type=positive_int,
        metavar="N",
        help="add N nights after the last one in --out; give the options the landing was "
        "generated with (--horizon included); --days is then the landing's",
    )
    gen.add_argument(
        "--horizon",
        type=positive_int,
        help="nights to simulate (default: --days): a landing can later grow by --append up "
        "to this many nights",
    )
    from rapport.generate.options import add_variant_arguments

    add_variant_arguments(gen)

    run = command("run", "load deliveries and compute nights through Dagster")
    run.add_argument("--landing", type=Path, required=True, help="the extracts' landing folder")
    run.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    run.add_argument(
        "--lake",
        help="raw zone and run state (default: lake/ beside the warehouse); an object-store "
        "URL (s3://bucket/prefix) holds the raw zone, the run state stays in lake/",
    )
    when = run.add_mutually_exclusive_group()
    when.add_argument("--date", type=iso_date, help="run this one night")
    when.add_argument("--from", dest="night_from", type=iso_date, help="first night of a backfill")
    run.add_argument(
        "--to",
        dest="night_to",
        type=iso_date,
        help="last night of a backfill (default: the latest delivered night)",
    )
    run.add_argument("--force", action="store_true", help="reload deliveries even if unchanged")
    run.add_argument(
        "--verbose",
        action="store_true",
        help="show every event of the run (steps, checks, dbt) on the console",
    )
    run.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        help="engine that runs the dbt models (default: rapport.toml [engine] name)",
    )
    run.add_argument(
        "--release",
        action="store_true",
        help="publish despite rejected files or quarantine over the threshold (still reported)",
    )
    run.add_argument(
        "--quiet",
        action="store_true",
        help="print nothing but a failure (on stderr): for cron",
    )

    rt = command("retract", "take a wrongly loaded night back out of the lake and the marts")
    rt.add_argument("--date", type=iso_date, required=True, help="the night to take out")
    rt.add_argument("--source", choices=SOURCES, help="only this source's delivery (default: all)")
    rt.add_argument("--landing", type=Path, required=True, help="the extracts' landing folder")
    rt.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    rt.add_argument("--lake", help="default: lake/ beside the warehouse (or s3://bucket/prefix)")

    wl = command("watchlist", "print the satisfied-but-at-risk accounts")
    wl.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    wl.add_argument("--limit", type=positive_int, help="at most this many accounts (default: all)")
    wl.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )
    wl.add_argument("--owner", help="only this relationship owner (name or CRM user id)")
    wl.add_argument(
        "--renewal-within",
        dest="renewal_within",
        type=non_negative_int,
        help="renewal in 0..DAYS days",
    )
    wl.add_argument("--min-arr", dest="min_arr", type=float, help="ARR at least this")
    qu = command("quarantine", "list quarantined rows and rejected files")
    qu.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    qu.add_argument("--lake", help="default: lake/ beside the warehouse (or s3://bucket/prefix)")
    qu.add_argument("--date", type=iso_date, help="only this extract date (default: every night)")
    qu.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    dc = command("docs", "the dbt docs of the latest publish (models, columns, lineage)")
    dc.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    dc.add_argument("--open", action="store_true", help="open them in a web browser")
    bt = command("backtest", "how often the flags were right, per cohort and per signal")
    bt.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    tu = command("tune", "fit the signal weights and thresholds on this installation's history")
    tu.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    tu.add_argument("--lake", help="run state (default: lake/ beside the warehouse)")
    mode = tu.add_mutually_exclusive_group()
    mode.add_argument(
        "--apply",
        dest="mode",
        action="store_const",
        const="apply",
        help="install the proposal for this installation (the next run scores with it)",
    )
    mode.add_argument(
        "--show",
        dest="mode",
        action="store_const",
        const="show",
        help="print the active scorecard version and its provenance",
    )
    mode.add_argument(
        "--revert",
        dest="mode",
        action="store_const",
        const="revert",
        help="go back one applied version",
    )
    revops_cli.add_parsers(sub)
    return parser


def _docs(args: argparse.Namespace) -> int:
    from rapport.docs_command import docs_command

    return docs_command(args)


def _generate(args: argparse.Namespace) -> int:
    from rapport.generate_command import generate_command

    return generate_command(args)


def _watchlist(args: argparse.Namespace) -> int:
    from rapport.watchlist import WatchlistFilter, read_watchlist, render

    filters = WatchlistFilter(args.owner, args.renewal_within, args.min_arr)
    print(render(read_watchlist(args.warehouse.resolve(), args.limit, filters), args.format))
    return 0


def _quarantine(args: argparse.Namespace) -> int:
    from rapport.quarantine import read_quarantine, render

    paths = Paths.resolve(args.warehouse, lake=args.lake)
    require_installation(paths)
    print(render(read_quarantine(paths.lake, args.date), args.format))
    return 0


def _backtest(args: argparse.Namespace) -> int:
    from rapport.backtest import render_backtest

    print(render_backtest(args.warehouse.resolve()))
    return 0


def _tune(args: argparse.Namespace) -> int:
    from rapport.config import load_config
    from rapport.tune.command import run

    paths = Paths.resolve(args.warehouse, lake=args.lake)
    return run(paths.warehouse, paths.lake, args.mode, load_config().tune)


Command = Callable[[argparse.Namespace], int]

#: the library's commands; `run` and `retract` (Dagster) are registered by `pipelines.cli`
COMMANDS: dict[str, Command] = {
    "generate": _generate,
    "watchlist": _watchlist,
    "quarantine": _quarantine,
    **revops_cli.COMMANDS,
    "tune": _tune,
    "backtest": _backtest,
    "docs": _docs,
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
        with closed_pipe_ends_quietly(), configured_by(args.config):
            return command(args)
    except (PathsError, FileNotFoundError, LakeBusy, ConfigError) as exc:
        print(f"rapport {args.command}: {printable(exc)}", file=sys.stderr)
        return 2
    except ReaderWentAway:
        return ReaderWentAway.EXIT_CODE
    except Exception as exc:
        if not _is_verdict(exc):
            raise
        print(f"rapport {args.command}: {printable(exc)}", file=sys.stderr)
        return 1


@contextlib.contextmanager
def configured_by(config: Path | None) -> Iterator[None]:
    """While a command runs, `--config FILE` is the rapport.toml in use: set as
    $RAPPORT_CONFIG, so the Dagster run and the processes it starts read the same file."""
    if config is None:
        yield
        return
    path = config.expanduser().resolve()
    if not path.is_file():
        raise ConfigError(f"--config {config}: no such file")
    before = os.environ.get(CONFIG_ENV)
    os.environ[CONFIG_ENV] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ[CONFIG_ENV]
        else:
            os.environ[CONFIG_ENV] = before


def _is_verdict(exc: Exception) -> bool:
    """An error whose message is the whole story (a refused delivery, a file Rapport keeps
    that cannot be read): one line, no traceback. The ingest is imported only if it raised."""
    ingest = sys.modules.get("rapport.ingest.results")
    return isinstance(exc, UnreadableState) or (
        ingest is not None and isinstance(exc, ingest.IngestError)
    )


if __name__ == "__main__":
    sys.exit(main())
