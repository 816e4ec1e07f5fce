"""The RevOps commands of `rapport`: movers, report, override (registered by `rapport.cli`)."""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path

import duckdb

from rapport.cli_manners import DefaultsFormatter, iso_date, non_negative_int, positive_int
from rapport.paths import Paths, PathsError
from rapport.safe_output import printable

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
WAREHOUSE_HELP = "the serving warehouse to read"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """`movers`, `report` and `override` (argparse's subparsers type is private, but it is
    the documented return value of `add_subparsers`)."""
    mv = sub.add_parser(
        "movers",
        formatter_class=DefaultsFormatter,
        help="what changed: accounts whose risk moved since N days",
    )
    mv.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    mv.add_argument(
        "--days",
        type=positive_int,
        default=7,
        help="compare with the night this many days before (1 or 7)",
    )
    mv.add_argument(
        "--rise", type=non_negative_int, default=20, help="count rises of at least this many points"
    )
    mv.add_argument("--limit", type=positive_int, help="list at most this many accounts")
    mv.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )

    rp = sub.add_parser(
        "report",
        formatter_class=DefaultsFormatter,
        help="write the nightly report, one self-contained HTML page",
    )
    rp.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE), help=WAREHOUSE_HELP)
    rp.add_argument("--lake", help="default: lake/ beside the warehouse (or s3://bucket/prefix)")
    rp.add_argument("--out", type=Path, required=True, help="the HTML file to write")

    ov = sub.add_parser(
        "override",
        formatter_class=DefaultsFormatter,
        help="pin an account's quadrant or risk tier, list, remove",
    )
    ov_sub = ov.add_subparsers(dest="action", required=True)
    add = ov_sub.add_parser(
        "add",
        formatter_class=DefaultsFormatter,
        help="pin an account (replaces its earlier override)",
    )
    add.add_argument("account_id", help="the CRM account Id")
    add.add_argument("--quadrant", help="truly_loyal, accessible, trapped or high_risk")
    add.add_argument("--risk-tier", dest="risk_tier", help="low, medium or high")
    add.add_argument("--reason", required=True, help="why (shown beside the computed value)")
    add.add_argument("--author", default=None, help="who (default: the login name)")
    add.add_argument(
        "--expires", type=iso_date, required=True, help="the last night it holds (YYYY-MM-DD)"
    )
    add.add_argument(
        "--from",
        dest="effective_from",
        type=iso_date,
        help="first night (default: latest published)",
    )
    rm = ov_sub.add_parser(
        "remove", formatter_class=DefaultsFormatter, help="remove an account's override"
    )
    rm.add_argument("account_id", help="the CRM account Id")
    rm.add_argument("--author", default=None, help="who (default: the login name)")
    ls = ov_sub.add_parser(
        "list",
        formatter_class=DefaultsFormatter,
        help="the overrides and their status on the latest night",
    )
    ls.add_argument("--history", action="store_true", help="every change, oldest first")
    for p in (add, rm, ls):
        p.add_argument(
            "--warehouse",
            type=Path,
            default=Path(DEFAULT_WAREHOUSE),
            help="the installation (overrides live in records/ beside it)",
        )


def movers(args: argparse.Namespace) -> int:
    from rapport.movers import read_movers, render

    found = read_movers(args.warehouse.resolve(), args.days, args.limit, args.rise)
    print(render(found, args.format))
    return 0


def report(args: argparse.Namespace) -> int:
    from rapport.config import load_config
    from rapport.report import write_report

    paths = Paths.resolve(args.warehouse, lake=args.lake)
    if not paths.warehouse.exists():
        raise FileNotFoundError(
            f"warehouse {paths.warehouse} does not exist (run `rapport run` first)"
        )
    if args.out.is_dir():
        raise PathsError(f"--out {args.out} is a folder: name the HTML file to write")
    out = write_report(paths, args.out.resolve(), load_config().report)
    print(f"wrote {out}")
    return 0


def _published_night(warehouse: Path) -> date | None:
    if not warehouse.exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select as_of_date from rapport.publication").fetchall()[0][0]
    finally:
        con.close()


def _known_account(warehouse: Path, account_id: str) -> bool:
    if not warehouse.exists():
        return True  # nothing to check against yet
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return bool(
            con.execute(
                "select count(*) from marts.account_loyalty_risk where account_id = ?",
                [account_id],
            ).fetchall()[0][0]
        )
    finally:
        con.close()


def override(args: argparse.Namespace) -> int:
    from rapport import overrides

    paths = Paths.resolve(args.warehouse)
    records = paths.records_dir
    author = args.author if getattr(args, "author", None) else getpass.getuser()
    night = _published_night(paths.warehouse)
    try:
        if args.action == "add":
            if not _known_account(paths.warehouse, args.account_id):
                raise PathsError(
                    f"account {args.account_id} is not in {paths.warehouse} "
                    "(marts.account_loyalty_risk)"
                )
            start = args.effective_from or night or date.today()
            version = overrides.add(
                records,
                args.account_id,
                quadrant=args.quadrant,
                risk_tier=args.risk_tier,
                reason=args.reason,
                author=author,
                effective_from=start,
                expires_on=args.expires,
            )
            pinned = ", ".join(
                f"{k} {v}"
                for k, v in (("quadrant", args.quadrant), ("risk tier", args.risk_tier))
                if v
            )
            print(
                printable(
                    f"override v{version}: {args.account_id} pinned to {pinned} for the nights "
                    f"{start} .. {args.expires} ({author}: {args.reason.strip()}); the marts show "
                    "it from the next `rapport run` (to apply it to a night already published, "
                    f"run that night again: rapport run --landing DIR --date {start})"
                )
            )
        elif args.action == "remove":
            version = overrides.remove(records, args.account_id, author)
            print(f"override v{version}: removed the override of {printable(args.account_id)}")
        else:
            print(_listing(records, night, args.history))
    except overrides.OverrideError as exc:
        raise PathsError(str(exc)) from exc
    return 0


def _listing(records: Path, night: date | None, history: bool) -> str:
    from rapport import overrides

    if history:
        lines = [
            printable(
                f"v{e['version']} {e['recorded_at']} {e['action']} {e['account_id']} by "
                f"{e['author']}"
                + (
                    f": quadrant={e.get('quadrant')} risk_tier={e.get('risk_tier')} "
                    f"{e['effective_from']}..{e['expires_on']} ({e['reason']})"
                    if e["action"] == "add"
                    else ""
                )
            )
            for e in overrides.history(records)
        ]
        return "\n".join(lines) or "no override was ever set"
    active = overrides.current(records)
    if not active:
        return "no overrides"
    on = night or date.today()
    lines = [f"Overrides on {on} ({len(active)}):"]
    for o in active:
        pinned = ", ".join(
            f"{k} {v}" for k, v in (("quadrant", o.quadrant), ("risk tier", o.risk_tier)) if v
        )
        lines.append(
            printable(
                f"  {o.account_id}: {pinned}, {o.effective_from} .. {o.expires_on} "
                f"[{o.status(on)}] by {o.author} (v{o.version}): {o.reason}"
            )
        )
    return "\n".join(lines)


COMMANDS = {"movers": movers, "report": report, "override": override}
