"""`python -m bench.validity.replay`: a fit experiment in seconds on kept installations.

A harness run (`python -m bench.validity --work W`) keeps, per variant, the landing, the
history up to the night before the cut (`W/<variant>/history`), and the cut night scored
with the default weights (`W/<variant>/default`). This replays only the tune on that
history, in this process, with `[tune]` settings overridden on the command line
(`--set regularisation_c=0.1`), and judges the scorecard it would apply on the cut night:
the cut night's signal strengths come from the default run (they do not depend on the
weights), the score and the watchlist (satisfied, evidence enough, score >= high) are
computed as the models compute them. Figures match a real `rapport tune --apply` and cut
night run up to the models' rounding (`python -m bench.validity --retune` runs those for
real); the bootstrap is skipped (it only reports uncertainty).

Printed per installation: the tuned watchlist (precision / recall), and `ranked`, the most
precise watchlist of the same tuned scores reaching the target recall (what a better high
threshold could get from these weights), next to the in-sample bound of the harness run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from bench.validity.harness import labels_at, satisfied_threshold
from bench.validity.judge import Judged, best_at_recall, judge
from rapport.config import load_config as load_rapport_config
from rapport.tune.command import propose
from rapport.tune.config import TuneConfig
from rapport.tune.features import load_features, signal_columns
from rapport.tune.fit import score


def _value(text: str) -> object:
    if text.startswith("["):  # a list, as TOML writes it: [0.1, 1]
        return tuple(_value(v.strip()) for v in text.strip("[]").split(",") if v.strip())
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def settings_with(base: TuneConfig, overrides: list[str]) -> TuneConfig:
    """`base` with `key=value` overrides (numbers, true/false, [lists], text)."""
    changes = {}
    for item in overrides:
        key, _, raw = item.partition("=")
        if key not in asdict(base):
            raise SystemExit(f"--set {item}: [tune] has no setting {key!r}")
        changes[key] = _value(raw)
    return replace(base, **changes)


def eligible_on(warehouse: Path, cut: date) -> tuple[set[str], set[str]]:
    """(customers scored on `cut`, the satisfied among them whose evidence lets them be on
    the watchlist whatever the weights: surveys and CRM/support sources not silent)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select account_id, satisfaction_score >= ?, satisfaction_evidence, crm_status,"
            " support_status from marts.account_loyalty_history where as_of_date = ?",
            [satisfied_threshold(), cut],
        ).fetchall()
    population = {r[0] for r in rows}
    eligible = {
        a
        for a, sat, sat_ev, crm, support in rows
        if sat
        and sat_ev != "insufficient_evidence"
        and "insufficient_evidence" not in (crm, support)
    }
    return population, eligible


def replay(work: Path, settings: TuneConfig, recall: float) -> dict[str, object]:
    """Tune on `work/history`, judge on the cut night of `work/default`."""
    history = work / "history" / "warehouse.duckdb"
    default = work / "default" / "warehouse.duckdb"
    with tempfile.TemporaryDirectory() as lake:
        proposal = propose(history, Path(lake), settings)
    threshold = satisfied_threshold()
    cut_frame = load_features(default, threshold)
    cut = cut_frame["as_of_date"].max()
    night = cut_frame.filter(pl.col("as_of_date") == cut)
    points = {k: int(v) for k, v in proposal["weights"].items()}
    scores = score(night.select(signal_columns(night)), points)
    population, eligible = eligible_on(default, cut)
    positives = labels_at(work / "labels.csv", cut)
    high = int(proposal["thresholds"]["high"])
    accounts = night["account_id"].to_list()
    flagged = {a for a, s in zip(accounts, scores, strict=True) if a in eligible and s >= high}
    tuned = judge("tuned", flagged, positives, population)
    sat_idx = [i for i, a in enumerate(accounts) if a in eligible]
    ranked = best_at_recall(
        "ranked",
        [accounts[i] for i in sat_idx],
        np.array([scores[i] for i in sat_idx]),
        positives,
        population,
        recall,
    )
    return {
        "variant": work.name,
        "tuned": tuned,
        "ranked": ranked,
        "high": high,
        "medium": int(proposal["thresholds"]["medium"]),
        "weights": {k: v for k, v in sorted(points.items(), key=lambda kv: -kv[1]) if v},
    }


def _pr(j: Judged) -> str:
    p = "-" if j.precision is None else f"{j.precision:.2f}"
    r = "-" if j.recall is None else f"{j.recall:.2f}"
    return f"{p} / {r} ({j.hits}/{j.flagged})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validity.replay", description=__doc__)
    parser.add_argument("work", type=Path, nargs="+", help="kept variant folders (W/<variant>)")
    parser.add_argument("--set", action="append", default=[], help="[tune] key=value")
    parser.add_argument("--recall", type=float, default=0.60, help="target recall for `ranked`")
    parser.add_argument("--weights", action="store_true", help="print the fitted points")
    args = parser.parse_args(argv)
    settings = settings_with(replace(load_rapport_config().tune, bootstrap_rounds=0), args.set)
    for work in args.work:
        r = replay(work, settings, args.recall)
        print(
            f"{work}: tuned {_pr(r['tuned'])}  high {r['high']}  ranked {_pr(r['ranked'])}",
            flush=True,
        )
        if args.weights:
            print(f"   {r['weights']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
