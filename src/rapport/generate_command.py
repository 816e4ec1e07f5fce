"""`rapport generate` on the console: refuse to mix two landings, say what was written."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rapport.contract import SOURCES
from rapport.paths import PathsError

if TYPE_CHECKING:
    from rapport.generate import GenerateSummary, Variant


def delivery_folders(landing: Path) -> list[Path]:
    """The `<source>/dt=<date>` folders already in a landing."""
    return sorted(p for s in SOURCES for p in (landing / s).glob("dt=*") if p.is_dir())


def generate_command(args: argparse.Namespace) -> int:
    from rapport.generate.options import variant_from_args

    try:
        variant = variant_from_args(args)
    except ValueError as exc:
        raise PathsError(str(exc)) from None
    out: Path = args.out
    existing = delivery_folders(out) if out.is_dir() else []
    labels = args.labels or out.resolve().parent / "labels.csv"
    if args.append:
        summary = _append(args, out, existing, labels, variant)
    else:
        if existing and not args.overwrite:
            raise PathsError(
                f"{out} already holds {len(existing)} deliveries (e.g. "
                f"{existing[0].relative_to(out)}); pass --overwrite to replace them, "
                "or --append N to add nights after them"
            )
        for folder in existing:  # only the deliveries: nothing else in the folder is touched
            shutil.rmtree(folder)
        summary = _generate(args, out, args.days, labels, variant)
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


def _generate(
    args: argparse.Namespace, out: Path, days: int, labels: Path, variant: Variant, **kw: date
) -> GenerateSummary:
    from rapport.generate import generate

    try:
        return generate(
            out, args.accounts, args.start, days, args.seed, labels, variant, args.horizon, **kw
        )
    except ValueError as exc:
        raise PathsError(str(exc)) from None


def _append(
    args: argparse.Namespace, out: Path, existing: list[Path], labels: Path, variant: Variant
) -> GenerateSummary:
    """Nights D+1..D+N of the simulation the landing's D nights come from. The landing's last
    night is generated again beside it and must match byte for byte: otherwise these are not
    the options (or the horizon) the landing was generated with, and nothing is written."""
    if not existing:
        raise PathsError(f"--append: {out} holds no deliveries to append to")
    nights = sorted({_night(p) for p in existing})
    if nights[0] != args.start:
        raise PathsError(
            f"--append: the landing's first night is {nights[0]}, --start says {args.start}: "
            "give the options the landing was generated with"
        )
    last = nights[-1]
    days = (last - args.start).days + 1 + args.append
    if days > (args.horizon or 0):
        raise PathsError(
            f"--append: {days} nights need --horizon {days} or more, given when the landing "
            f"was first generated (a landing only grows within the nights it was simulated for)"
        )
    scratch = Path(tempfile.mkdtemp(prefix=".append-", dir=out.parent))
    try:
        summary = _generate(
            args, scratch / "landing", days, scratch / "labels.csv", variant, deliver_from=last
        )
        for source in SOURCES:
            again, there = scratch / "landing" / source / f"dt={last}", out / source / f"dt={last}"
            if _contents(again) != _contents(there):
                raise PathsError(
                    f"--append: {there} is not what these options generate: give the options "
                    "(--accounts, --seed, --horizon, variant options) the landing was generated with"
                )
        for source in SOURCES:
            for folder in sorted((scratch / "landing" / source).glob("dt=*")):
                if _night(folder) > last:
                    os.replace(folder, out / source / folder.name)
        os.replace(scratch / "labels.csv", labels)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    added = {n: rows for n, rows in summary.night_rows.items() if n > last}
    totals = {name: sum(rows[name] for rows in added.values()) for name in summary.rows}
    return replace(
        summary, out=out, labels=labels, nights=tuple(sorted(added)), rows=totals, night_rows=added
    )


def _contents(folder: Path) -> dict[str, bytes]:
    return (
        {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
    )


def _night(folder: Path) -> date:
    try:
        return date.fromisoformat(folder.name.removeprefix("dt="))
    except ValueError:
        raise PathsError(f"--append: {folder} is not named dt=YYYY-MM-DD") from None
