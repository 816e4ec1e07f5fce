"""`rapport generate` on the console: refuse to mix two landings, say what was written."""

from __future__ import annotations

import argparse
import shutil
from datetime import date, timedelta
from pathlib import Path

from rapport.contract import SOURCES
from rapport.paths import PathsError


def delivery_folders(landing: Path) -> list[Path]:
    """The `<source>/dt=<date>` folders already in a landing."""
    return sorted(p for s in SOURCES for p in (landing / s).glob("dt=*") if p.is_dir())


def generate_command(args: argparse.Namespace) -> int:
    from rapport.generate import generate
    from rapport.generate.options import variant_from_args

    try:
        variant = variant_from_args(args)
    except ValueError as exc:
        raise PathsError(str(exc)) from None
    out: Path = args.out
    existing = delivery_folders(out) if out.is_dir() else []
    days, deliver_from = args.days, None
    if args.append:
        days, deliver_from = _appended(out, existing, args.start, args.append)
    elif existing and not args.overwrite:
        raise PathsError(
            f"{out} already holds {len(existing)} deliveries (e.g. "
            f"{existing[0].relative_to(out)}); pass --overwrite to replace them, "
            "or --append N to add nights after them"
        )
    else:
        for folder in existing:  # only the deliveries: nothing else in the folder is touched
            shutil.rmtree(folder)
    labels = args.labels or out.resolve().parent / "labels.csv"
    summary = generate(
        out,
        args.accounts,
        args.start,
        days,
        args.seed,
        labels=labels,
        variant=variant,
        deliver_from=deliver_from,
    )
    by_source: dict[str, int] = {}
    for name, rows in summary.rows.items():
        source = name.split(".")[0]
        by_source[source] = by_source.get(source, 0) + rows
    nights = summary.nights
    print(
        f"wrote {len(nights)} nights ({nights[0]} .. {nights[-1]}) for {summary.accounts:,} "
        f"accounts to {summary.out}: " + ", ".join(f"{s} {n:,} rows" for s, n in by_source.items())
    )
    print(f"true outcomes (never read by the pipeline): {summary.labels}")
    return 0


def _appended(out: Path, existing: list[Path], start: date, more: int) -> tuple[int, date]:
    """(days to simulate, first night to write) for `--append`: the landing's nights must
    run from `start`, as it was generated."""
    if not existing:
        raise PathsError(f"--append: {out} holds no deliveries to append to")
    nights = sorted({_night(p) for p in existing})
    if nights[0] != start:
        raise PathsError(
            f"--append: the landing's first night is {nights[0]}, --start says {start}: "
            "give the options the landing was generated with"
        )
    return (nights[-1] - start).days + 1 + more, nights[-1] + timedelta(days=1)


def _night(folder: Path) -> date:
    try:
        return date.fromisoformat(folder.name.removeprefix("dt="))
    except ValueError:
        raise PathsError(f"--append: {folder} is not named dt=YYYY-MM-DD") from None
