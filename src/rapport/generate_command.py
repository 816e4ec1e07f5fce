"""`rapport generate` on the console: refuse to mix two landings, say what was written."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from rapport.contract import SOURCES
from rapport.settings import SettingsError


def delivery_folders(landing: Path) -> list[Path]:
    """The `<source>/dt=<date>` folders already in a landing."""
    return sorted(p for s in SOURCES for p in (landing / s).glob("dt=*") if p.is_dir())


def generate_command(args: argparse.Namespace) -> int:
    from rapport.generate import generate
    from rapport.generate.options import variant_from_args

    try:
        variant = variant_from_args(args)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    out: Path = args.out
    existing = delivery_folders(out) if out.is_dir() else []
    if existing and not args.overwrite:
        raise SettingsError(
            f"{out} already holds {len(existing)} deliveries (e.g. "
            f"{existing[0].relative_to(out)}); pass --overwrite to replace them"
        )
    for folder in existing:  # only the deliveries: nothing else in the folder is touched
        shutil.rmtree(folder)
    labels = args.labels or out.resolve().parent / "labels.csv"
    summary = generate(
        out, args.accounts, args.start, args.days, args.seed, labels=labels, variant=variant
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
