"""Scales (numbers of accounts) and the generated landings the runs read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench.code import source_env
from bench.common import DAYS, SEED, START, BenchError, Log, now, size_of, tail
from bench.measured import rapport_argv
from bench.monitor import measure


def accounts_of(scale: str) -> int:
    """``10k`` -> 10000, ``1m`` -> 1000000, ``2500`` -> 2500."""
    text = scale.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    try:
        accounts = int(float(number) * factor)
    except ValueError:
        raise BenchError(
            f"scale {scale!r} is not a number of accounts like 10k, 1m, 2500"
        ) from None
    if accounts < 1:
        raise BenchError(f"scale {scale!r} must be at least one account")
    return accounts


def ensure_landing(folder: Path, accounts: int, source: Path, log: Log, days: int = DAYS) -> dict:
    """The demo landing for ``accounts`` (generated once, reused while the generator's
    arguments are the same); returns what ``rapport generate`` reported and how long it took."""
    stamp = folder / "landing.json"
    wanted = {"accounts": accounts, "start": START.isoformat(), "days": days, "seed": SEED}
    if stamp.is_file():
        known = json.loads(stamp.read_text(encoding="utf-8"))
        if known.get("arguments") == wanted and (folder / "landing").is_dir():
            log(f"  landing: reusing {folder / 'landing'} (generated in {known['seconds']} s)")
            return known
    shutil.rmtree(folder / "landing", ignore_errors=True)
    stamp.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    log(f"  landing: generating {accounts:,} accounts x {days} nights")
    argv = [
        *rapport_argv(source),
        "generate",
        "--out",
        str(folder / "landing"),
        "--accounts",
        str(accounts),
        "--start",
        START.isoformat(),
        "--days",
        str(days),
        "--seed",
        str(SEED),
        "--labels",
        str(folder / "labels.csv"),
    ]
    measured = measure(argv, env=source_env(source), cwd=source, log=folder / "generate.log")
    if measured.returncode != 0:
        raise BenchError(f"rapport generate failed: {tail(folder / 'generate.log')}")
    known = {
        "arguments": wanted,
        "seconds": measured.wall_s,
        "peak_rss_bytes": measured.peak_rss_bytes,
        "bytes": size_of(folder / "landing"),
        "generated_at": now(),
    }
    stamp.write_text(json.dumps(known, indent=1) + "\n", encoding="utf-8")
    return known
