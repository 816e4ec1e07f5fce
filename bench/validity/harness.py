"""The validity harness: does the watchlist find the satisfied-but-leaving accounts of a
customer base whose extracts were written by a generator variant the rules never saw?

For each variant of `configs.toml` it

1. generates a landing with the variant (`rapport generate` options) and its labels;
2. loads the history up to the night before the cut (`rapport run --from --to`), the cut
   being the last generated night;
3. copies that installation: on the copy the cut night runs with the default weights; on the
   original `rapport tune --apply` runs first, then the cut night (the tuned weights);
4. judges both watchlists (`marts.satisfied_at_risk`) against the accounts labelled
   `satisfied_leaving` that are still customers on the cut night, and adds the in-sample
   bound: a regularised logistic model fit on the cut night's own labels with the same
   features (signal strengths from `rapport.tune.features.load_features`), among the accounts
   the watchlist could hold (the satisfied ones), at its most precise point reaching the
   target recall.

Rapport runs as subprocesses (`rapport generate`, `run`, `tune`), exactly as a user runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import yaml

from bench.validity.judge import (
    Judged,
    Targets,
    best_at_recall,
    bound_model,
    cross_validated_bound_scores,
    judge,
    support,
    verdict,
)
from rapport.generate.variant import Variant

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = Path(__file__).with_name("configs.toml")
SATISFIED_LEAVING = "satisfied_leaving"


@dataclass(frozen=True)
class Scale:
    accounts: int
    start: date
    days: int
    seed: int

    @property
    def cut(self) -> date:
        return self.start + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Config:
    scale: Scale
    targets: Targets
    bound_c: float
    bound_cv_folds: int
    bound_cv_repeats: int
    variants: dict[str, Variant]


def load_config(path: Path = CONFIGS, **overrides: int) -> Config:
    """The harness settings; `overrides` replace `[scale]` entries (accounts, days, seed)."""
    raw = tomllib.loads(path.read_text("utf-8"))
    scale = {**raw["scale"], **{k: v for k, v in overrides.items() if v is not None}}
    return Config(
        scale=Scale(
            accounts=int(scale["accounts"]),
            start=date.fromisoformat(str(scale["start"])),
            days=int(scale["days"]),
            seed=int(scale["seed"]),
        ),
        targets=Targets(**raw["targets"]),
        bound_c=float(raw["judge"]["bound_c"]),
        bound_cv_folds=int(raw["judge"].get("bound_cv_folds", 10)),
        bound_cv_repeats=int(raw["judge"].get("bound_cv_repeats", 5)),
        variants={
            name: Variant(**spec, **raw.get("defections", {}))
            for name, spec in raw["variants"].items()
        },
    )


class StepFailed(RuntimeError):
    """A Rapport command failed; the message names the step and its last line of output."""


def rapport(args: list[str], env: dict[str, str], log: Path) -> str:
    """Run `rapport ARGS`; its output goes to `log` (appended) and is returned."""
    exe = Path(sys.executable).with_name("rapport")
    started = time.monotonic()
    proc = subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    elapsed = time.monotonic() - started
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ rapport {' '.join(args)}  ({elapsed:.1f} s, exit {proc.returncode})\n")
        f.write(proc.stdout + proc.stderr + "\n")
    if proc.returncode != 0:
        last = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()[-1]
        raise StepFailed(f"rapport {args[0]} exited {proc.returncode}: {last}")
    return proc.stdout


def variant_args(v: Variant) -> list[str]:
    """`rapport generate` options that select variant `v`."""
    mix = ",".join(f"{k}={f:g}" for k, f in v.mix.items())
    return [
        f"--wording={v.wording}",
        f"--encoding={v.encoding}",
        f"--mix={mix}",
        f"--false-alarms={v.false_alarms:g}",
        f"--base-noise={v.base_noise:g}",
        f"--in-window={v.in_window:g}",
        f"--defections-from={v.defections_from:g}",
    ]


def satisfied_threshold() -> float:
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text("utf-8"))
    return float(project["vars"]["satisfied_threshold"])


def night_state(warehouse: Path, cut: date) -> tuple[set[str], set[str], set[str]]:
    """Population (customers scored on `cut`), the satisfied among them, and the watchlist."""
    threshold = satisfied_threshold()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scored = con.execute(
            "select account_id, satisfaction_score from marts.account_loyalty_history "
            "where as_of_date = ?",
            [cut],
        ).fetchall()
        watch = con.execute("select account_id from marts.satisfied_at_risk").fetchall()
    population = {a for a, _ in scored}
    satisfied = {a for a, s in scored if s is not None and s >= threshold}
    return population, satisfied, {a for (a,) in watch}


def features_at(warehouse: Path, cut: date) -> tuple[pl.DataFrame, str]:
    """Per account, the signal strengths on `cut` (the tune's features), and what they are.
    Without `rapport.tune` (an installation before it), the signals that fired, as 0/1."""
    try:
        from rapport.tune.features import load_features, signal_columns
    except ImportError:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                "select account_id, signal from marts.account_loyalty_signals where as_of_date = ?",
                [cut],
            ).fetchall()
        fired = pl.DataFrame(
            rows, schema={"account_id": pl.String, "signal": pl.String}, orient="row"
        )
        wide = (
            fired.with_columns(pl.lit(1.0).alias("v"))
            .pivot(on="signal", index="account_id", values="v", aggregate_function="max")
            .fill_null(0.0)
        )
        return wide, "signals fired on the night (0/1; rapport.tune is not installed)"
    frame = load_features(warehouse, satisfied_threshold()).filter(pl.col("as_of_date") == cut)
    return (
        frame.select("account_id", *signal_columns(frame)),
        "signal strengths (rapport.tune.features.load_features)",
    )


def labels_at(labels: Path, cut: date) -> set[str]:
    """Accounts truly satisfied-but-leaving and still customers on the cut night."""
    frame = pl.read_csv(labels, try_parse_dates=True)
    still = pl.col("defection_date").is_null() | (pl.col("defection_date") > cut)
    return set(frame.filter((pl.col("segment") == SATISFIED_LEAVING) & still)["account_id"])


def bound_row(
    features: pl.DataFrame,
    satisfied: set[str],
    positives: set[str],
    population: set[str],
    config: Config,
    scale_seed: int = 0,
) -> tuple[Judged, Judged, dict[str, object]]:
    """The in-sample and the cross-validated bound among the satisfied accounts, and how
    they were fit."""
    rows = features.filter(pl.col("account_id").is_in(sorted(satisfied & population)))
    accounts = rows["account_id"].to_list()
    # satisfied accounts where no signal fired have no row in a sparse feature frame
    missing = sorted((satisfied & population) - set(accounts))
    x = rows.drop("account_id")
    if missing:
        x = pl.concat([x, pl.DataFrame({c: [0.0] * len(missing) for c in x.columns})])
        accounts += missing
    y = np.array([a in positives for a in accounts])
    scores, coefficients = bound_model(x, y, config.bound_c)
    row = best_at_recall(
        "in-sample bound", accounts, scores, positives, population, config.targets.recall
    )
    honest = cross_validated_bound_scores(
        x, y, config.bound_c, config.bound_cv_folds, config.bound_cv_repeats, scale_seed
    )
    cv_row = best_at_recall(
        "cross-validated bound", accounts, honest, positives, population, config.targets.recall
    )
    return (
        row,
        cv_row,
        {
            "features": x.columns,
            "fit_rows": len(accounts),
            "fit_positives": int(y.sum()),
            "coefficients": coefficients,
            "support": support(x, y),
        },
    )


def _load_history(
    step: Callable[[str, list[str]], str], landing: Path, warehouse: Path, scale: Scale
) -> None:
    """`rapport run` every night up to the one before the cut into `warehouse`."""
    before_cut = (scale.cut - timedelta(days=1)).isoformat()
    warehouse.parent.mkdir(exist_ok=True)  # `rapport run` starts installations in folders
    step(
        "history",
        [
            "run",
            f"--landing={landing}",
            f"--warehouse={warehouse}",
            f"--from={scale.start}",
            f"--to={before_cut}",
        ],
    )


def evaluate(
    name: str,
    variant: Variant,
    config: Config,
    work: Path,
    reuse: bool = False,
    retune: bool = False,
) -> dict[str, object]:
    """Generate, load, tune and judge one variant; failures are recorded, not raised.

    The history is loaded once into `work/history`; the default and the tuned runs of the cut
    night each start from a copy of it. With `reuse`, a landing and history already in `work`
    (from an earlier run of the same settings) are kept: the history run then loads only what
    is missing and recomputes the nights with the current code. With `retune`, the kept
    history and default cut night are used as they are (StepFailed when `work` holds none for
    these settings): only `rapport tune --apply` and the tuned cut night run, a few minutes
    instead of a quarter of an hour (`python -m bench.validity.replay` is faster still)."""
    scale = config.scale
    settings = json.dumps({"scale": str(scale), "variant": variant.describe()}, sort_keys=True)
    marker = work / "settings.json"
    kept = marker.is_file() and marker.read_text() == settings
    if retune and not (kept and (work / "default" / "warehouse.duckdb").is_file()):
        return {
            "variant": variant.describe(),
            "error": f"--retune: {work} holds no kept history and default cut night for these "
            "settings (run once without --retune first)",
            "log": str(work / "rapport.log"),
            "seconds": {},
        }
    if work.exists() and not ((reuse or retune) and kept):
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    marker.write_text(settings)
    log = work / "rapport.log"
    env = {**os.environ, "DAGSTER_HOME": str(work / "dagster")}
    (work / "dagster").mkdir(exist_ok=True)
    landing, labels = work / "landing", work / "labels.csv"
    history_wh = work / "history" / "warehouse.duckdb"
    tuned_wh = work / "tuned" / "warehouse.duckdb"
    default_wh = work / "default" / "warehouse.duckdb"
    for copy in (tuned_wh.parent,) if retune else (tuned_wh.parent, default_wh.parent):
        shutil.rmtree(copy, ignore_errors=True)
    cut = scale.cut
    result: dict[str, object] = {
        "variant": variant.describe(),
        "cut_night": cut.isoformat(),
        "history": [scale.start.isoformat(), (cut - timedelta(days=1)).isoformat()],
        "rows": {},
        "seconds": {},
    }
    timings: dict[str, float] = result["seconds"]  # type: ignore[assignment]

    def step(label: str, args: list[str]) -> str:
        started = time.monotonic()
        try:
            return rapport(args, env, log)
        finally:
            timings[label] = round(time.monotonic() - started, 1)

    try:
        if retune:
            shutil.copytree(history_wh.parent, tuned_wh.parent)
        elif not (landing / "surveys" / f"dt={cut}" / "_SUCCESS").is_file():
            step(
                "generate",
                [
                    "generate",
                    f"--out={landing}",
                    f"--labels={labels}",
                    f"--accounts={scale.accounts}",
                    f"--start={scale.start}",
                    f"--days={scale.days}",
                    f"--seed={scale.seed}",
                    *variant_args(variant),
                ],
            )
        if not retune:
            _load_history(step, landing, history_wh, scale)
            shutil.copytree(history_wh.parent, default_wh.parent)
            shutil.copytree(history_wh.parent, tuned_wh.parent)
            step(
                "cut_default",
                ["run", f"--landing={landing}", f"--warehouse={default_wh}", f"--date={cut}"],
            )
        population, satisfied, watch = night_state(default_wh, cut)
        positives = labels_at(labels, cut)
        rows: dict[str, object] = result["rows"]  # type: ignore[assignment]
        default = judge("default weights", watch, positives, population)
        rows["default"] = default.as_dict()
        features, kind = features_at(default_wh, cut)
        bound, bound_cv, fit = bound_row(
            features, satisfied, positives, population, config, scale.seed
        )
        rows["bound"] = bound.as_dict()
        rows["bound_cv"] = bound_cv.as_dict()
        result["bound_fit"] = {
            **fit,
            "kind": kind,
            "c": config.bound_c,
            "cv": f"stratified {config.bound_cv_folds}-fold, {config.bound_cv_repeats} repeats",
        }
        result["satisfied_positives"] = len(positives & satisfied & population)
        tuned: Judged | None = None
        try:
            result["tune_output"] = step("tune", ["tune", f"--warehouse={tuned_wh}", "--apply"])
            step(
                "cut_tuned",
                ["run", f"--landing={landing}", f"--warehouse={tuned_wh}", f"--date={cut}"],
            )
            population_t, _, watch_t = night_state(tuned_wh, cut)
            tuned = judge("tuned weights", watch_t, positives, population_t)
            rows["tuned"] = tuned.as_dict()
        except StepFailed as exc:
            rows["tuned"] = {"name": "tuned weights", "error": str(exc)}
        result["verdict"] = verdict(default, tuned, config.targets)
    except StepFailed as exc:
        result["error"] = str(exc)
    result["log"] = str(log)
    return result
