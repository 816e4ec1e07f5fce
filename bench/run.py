"""The benchmark: how long a night (or a range of nights) takes at a given size, and how much
of it is the tool.

For each scale (customer accounts) it generates a landing with the demo generator (two
nightly deliveries: the full load and one night of changes), then measures, ``repeats``
times each, with the median reported:

- the **first full night**: ``rapport run --date <start>`` on a fresh installation (new
  warehouse, lake and Dagster instance);
- a **typical incremental night**: ``rapport run --date <start + 1>`` on a copy of the state
  the first full night left (each repetition starts from the same state);
- for each of them the **floor** (``bench.floor``): the same work done by DuckDB alone,
  measured the same way, right after the Rapport run it mirrors.

Range scenarios (``--ranges``, `bench.ranges`) measure many nights in one run the same way.

Rapport and the floor run as subprocesses; wall time, CPU time (user + system) and the peak
resident memory of the process tree are measured from outside (``bench.monitor``). The
stages come from the Dagster event log (step start and success events, the ingest steps'
materialization metadata: how long the load took) and dbt's ``run_results.json`` (when
dbt's invocation started and wrote its results): `bench.stages`.

Results: ``<out_dir>/<date>-<scale>.json``, and the table in ``docs/performance.md``
(between its ``bench:table`` markers) when ``--docs`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.code import BYTECODE, bytecode_env, checkout, prepare
from bench.common import DEFAULT_OUT, DEFAULT_WORK, GIB, LARGE, REPO, BenchError, Log
from bench.landing import accounts_of
from bench.nights import bench_scale
from bench.ranges import bench_range, scenario_of
from bench.report import file_name, latest_results, render_table, summary_line, update_docs


def run_bench(
    scales: Sequence[str],
    repeats: int = 3,
    out_dir: Path = DEFAULT_OUT,
    *,
    work_dir: Path = DEFAULT_WORK,
    large_repeats: int = 1,
    kinds: Sequence[str] = ("full", "incremental"),
    docs: Path | None = None,
    keep: bool = False,
    ref: str | None = None,
    cold_imports: bool = False,
    max_rss_gib: float | None = None,
    variant: str | None = None,
    ranges: Sequence[str] = (),
    log: Log = print,
) -> list[dict]:
    """Benchmark each scale (its single nights) and each range scenario (``demo``,
    ``first-run``, ``backfill``, optionally ``@<accounts>``); write
    ``<out_dir>/<date>-<scale>.json`` for each and, with ``docs``, the results table in that
    file. Returns the results."""
    if repeats < 1 or large_repeats < 1:
        raise BenchError("repetitions must be at least 1")
    unknown = set(kinds) - {"full", "incremental"}
    if unknown or not kinds:
        raise BenchError(f"kinds are full and incremental, not {sorted(unknown) or 'none'}")
    for scale in scales:
        accounts_of(scale)  # a bad scale or range fails before anything runs
    scenarios = [scenario_of(spec) for spec in ranges]
    source = checkout(ref, work_dir) if ref else REPO
    BYTECODE.clear()
    BYTECODE.update(bytecode_env(work_dir, cold_imports))
    prepare(source, log)
    out_dir.mkdir(parents=True, exist_ok=True)
    max_rss = int(max_rss_gib * GIB) if max_rss_gib else None
    results = []

    def keep_result(result: dict) -> None:
        result["max_rss_gib"] = max_rss_gib
        result["bytecode"] = "compiled on every import" if cold_imports else "cached"
        path = out_dir / file_name(result)
        path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        log(f"  wrote {path}")
        log(summary_line(result))
        results.append(result)

    for scale in scales:
        n = large_repeats if accounts_of(scale) >= LARGE else repeats
        keep_result(
            bench_scale(
                scale,
                n,
                work_dir,
                kinds=kinds,
                keep=keep,
                source=source,
                max_rss=max_rss,
                variant=variant,
                log=log,
            )
        )
    for scenario in scenarios:
        keep_result(bench_range(scenario, repeats, work_dir, keep, source, max_rss, log))
    if docs is not None:
        update_docs(docs, out_dir)
        log(f"updated the table in {docs}")
    return results


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--scales",
        default=os.environ.get("BENCH_SCALES", "10k,100k"),
        help="comma-separated accounts per scale: 10k, 100k, 1m, 2500 (env BENCH_SCALES)",
    )
    parser.add_argument(
        "--ranges",
        default=os.environ.get("BENCH_RANGES", ""),
        help="comma-separated range scenarios: demo, first-run, backfill; @<scale> changes "
        "the accounts (backfill@10k) (env BENCH_RANGES)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=int(os.environ.get("BENCH_REPEATS", "3")),
        help="repetitions of each night (env BENCH_REPEATS)",
    )
    parser.add_argument(
        "--large-repeats",
        type=int,
        default=int(os.environ.get("BENCH_LARGE_REPEATS", "1")),
        help=f"repetitions for scales of {LARGE:,} accounts and more",
    )
    parser.add_argument(
        "--kinds", default="full,incremental", help="nights to measure: full, incremental"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="landings and runs")
    parser.add_argument(
        "--docs", type=Path, default=None, help="update the table in this file (performance.md)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the last installation and the base"
    )
    parser.add_argument(
        "--max-rss-gib",
        type=float,
        default=float(os.environ.get("BENCH_MAX_RSS_GIB", "0")) or None,
        help="stop a night whose process tree passes this much RSS (recorded as not completed)",
    )
    parser.add_argument(
        "--variant",
        choices=("no-gx",),
        default=None,
        help="diagnostic: run a variant of Rapport (no-gx: without the GX validation)",
    )
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="the engine that runs the models (spark: results in <date>-<scale>-spark.json, "
        "beside the DuckDB table, not in it; needs `make install EXTRAS=spark` and Java)",
    )
    parser.add_argument(
        "--cold-imports",
        action="store_true",
        help="no bytecode cache: every process compiles its imports from source",
    )
    parser.add_argument(
        "--ref",
        default=os.environ.get("BENCH_REF") or None,
        help="benchmark this commit (a clean clone under --work) instead of the working tree",
    )
    parser.add_argument(
        "--table", action="store_true", help="only print the table of the latest results"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.table:
        print(render_table(latest_results(args.out)))
        return 0
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    if args.engine != "duckdb" and args.variant:
        print(
            "bench: --variant measures DuckDB runs; it does not combine with --engine",
            file=sys.stderr,
        )
        return 2
    try:
        run_bench(
            scales,
            args.repeats,
            args.out,
            work_dir=args.work,
            large_repeats=args.large_repeats,
            kinds=kinds,
            docs=args.docs,
            keep=args.keep,
            ref=args.ref,
            cold_imports=args.cold_imports,
            max_rss_gib=args.max_rss_gib,
            variant=args.variant or (args.engine if args.engine != "duckdb" else None),
            ranges=[r.strip() for r in args.ranges.split(",") if r.strip()],
            log=lambda line: print(line, flush=True),
        )
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
