"""`python -m bench.validity`: run the validity harness (`harness.py`) and report.

Results go to `bench/results/<date>-validity.json` and, with `--docs`, into the marked
section of `docs/scoring.md`. Exit 0 when every variant was judged (whether or not it met
the targets: the harness measures, it does not gate), 1 when a variant could not be judged.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.validity.harness import CONFIGS, ROOT, evaluate, load_config
from bench.validity.report import markdown, table, write_docs, write_json


def _code_version() -> str:
    proc = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return proc.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validity", description=__doc__)
    parser.add_argument("--config", type=Path, default=CONFIGS)
    parser.add_argument("--variants", help="comma-separated names (default: all in the config)")
    parser.add_argument("--accounts", type=int, help="override [scale] accounts")
    parser.add_argument("--days", type=int, help="override [scale] days")
    parser.add_argument("--seed", type=int, help="override [scale] seed")
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "validity")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--docs", type=Path, help="rewrite the validity section of this file")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a landing and history already in --work for the same settings",
    )
    parser.add_argument(
        "--retune",
        action="store_true",
        help="judge a new tune on the history and default cut night kept in --work by an "
        "earlier run of the same settings: only tune and the tuned cut night run",
    )
    args = parser.parse_args(argv)

    config = load_config(args.config, accounts=args.accounts, days=args.days, seed=args.seed)
    names = args.variants.split(",") if args.variants else list(config.variants)
    unknown = [n for n in names if n not in config.variants]
    if unknown:
        parser.error(
            f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(config.variants)}"
        )
    now = datetime.now(UTC)
    results_file = args.out / f"{now:%Y-%m-%d}-validity.json"
    summary: dict = {
        "generated_at": now.isoformat(timespec="seconds"),
        "code_version": _code_version(),
        "command": " ".join(
            ["python -m bench.validity", *(argv if argv is not None else sys.argv[1:])]
        ),
        "scale": {
            "accounts": config.scale.accounts,
            "start": config.scale.start.isoformat(),
            "days": config.scale.days,
            "seed": config.scale.seed,
        },
        "targets": vars(config.targets),
        "results_file": str(results_file.relative_to(ROOT))
        if results_file.is_relative_to(ROOT)
        else str(results_file),
        "variants": {},
    }
    for name in names:
        print(f"== {name}: generating, loading the history, tuning, judging ...", flush=True)
        result = evaluate(
            name, config.variants[name], config, args.work / name, args.reuse, args.retune
        )
        summary["variants"][name] = result
        if "error" in result:
            print(f"   not judged: {result['error']} (log: {result['log']})")
        else:
            print("\n".join("   " + line for line in table(result)))
        print(f"   seconds: {result['seconds']}", flush=True)
    write_json(results_file, summary)
    print(f"results: {results_file}")
    if args.docs:
        write_docs(args.docs, markdown(summary))
        print(f"updated: {args.docs}")
    return 1 if any("error" in r for r in summary["variants"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
