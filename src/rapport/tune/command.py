"""`rapport tune`: propose a scorecard fitted on the installation's history, report it,
and apply, show or revert the installation's scorecards."""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from rapport.project import dbt_project_dir
from rapport.tune import store
from rapport.tune.config import TuneConfig
from rapport.tune.features import label, load_features, signal_columns
from rapport.tune.fit import (
    NotEnoughHistory,
    Split,
    bootstrap,
    fit,
    refit_horizon,
    score,
    time_split,
)
from rapport.tune.metrics import judge
from rapport.tune.report import render_markdown
from rapport.tune.scorecard import Scorecard, active, project_vars


def proposals_dir(lake: Path) -> Path:
    return store.scorecards_dir(lake) / "proposal"


def code_version() -> str:
    """The git commit of the code that fitted (plus `-dirty`), or the package version."""
    from importlib import metadata

    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=dbt_project_dir(),
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"rapport {metadata.version('rapport')}"


def propose(warehouse: Path, lake: Path, settings: TuneConfig) -> dict[str, Any]:
    """Fit on the earlier nights, judge on the later ones; the proposal and its report.
    Raises NotEnoughHistory (nothing is written) when the history is too short."""
    features = load_features(warehouse, float(project_vars()["satisfied_threshold"]))
    if features.height == 0:
        raise NotEnoughHistory(f"{warehouse} holds no scored nights yet: run some nights first")
    last_night = features["last_night"].max()
    nights = features["as_of_date"].unique().to_list()
    split = time_split(nights, last_night, settings)
    signals = signal_columns(features)
    h = split.horizon_days

    # the fit sees only nights up to fit_to and outcomes known by fit_known_by
    fit_rows = label(features.filter(pl.col("as_of_date") <= split.fit_to), h, split.fit_known_by)
    defected_accounts = fit_rows.filter("defected")["account_id"].n_unique()
    if defected_accounts < settings.min_defections:
        raise NotEnoughHistory(_too_few_defections(defected_accounts, split, settings))
    fitted = fit(fit_rows, signals, settings)

    report_rows = label(
        features.filter(pl.col("as_of_date") >= split.report_from), h, split.last_night
    )
    # deployment: the same recipe refitted on every night whose horizon is complete, with the
    # longest horizon the history allows (refit_horizon)
    refit_h, refit_h_reason = (
        refit_horizon(split, min(nights), settings) if settings.refit else (h, "")
    )
    all_rows = label(features, refit_h, split.last_night)
    deployed = fit(all_rows, signals, settings) if settings.refit else fitted
    basis = all_rows if settings.refit else fit_rows
    intervals = bootstrap(basis, deployed, settings)
    before = active(lake)
    after = Scorecard(
        "proposal", fitted.points, fitted.thresholds["high"], fitted.thresholds["medium"]
    )
    applied = Scorecard(
        "refit", deployed.points, deployed.thresholds["high"], deployed.thresholds["medium"]
    )
    comparison = {
        card_name: {
            "weights_version": card.version,
            "high": card.high,
            "medium": card.medium,
            "held_back": judge(report_rows, score(report_rows, card.weights), card.high),
            "fit": judge(fit_rows, score(fit_rows, card.weights), card.high),
        }
        for card_name, card in (("before", before), ("after", after), ("applied", applied))
    }
    per_signal = []
    for i, name in enumerate(signals):
        showing = basis.filter(pl.col(name) > 0)
        per_signal.append(
            {
                "signal": name,
                "points_before": before.weights.get(name, 0),
                "points_split": fitted.points[name],
                "points_after": deployed.points[name],
                "interval_90": list(intervals.get(name, (0, 0))),
                "coefficient": round(float(deployed.coefficients[i]), 4),
                "accounts_showing": showing["account_id"].n_unique(),
                "accounts_showing_defected": showing.filter("defected")["account_id"].n_unique(),
            }
        )
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "warehouse": str(warehouse),
        "weights": deployed.points,
        "thresholds": deployed.thresholds,
        "replaces": before.version,
        "data": {
            "first_night": str(min(nights)),
            "last_night": str(last_night),
            "horizon_days": h,
            "preferred_horizon_days": settings.horizon_days,
            "horizon_reason": split.horizon_reason,
            "fit_nights": [str(split.fit_from), str(split.fit_to)],
            "fit_outcomes_known_by": str(split.fit_known_by),
            "report_nights": [str(split.report_from), str(split.report_to)],
            "fit_rows": fit_rows.height,
            "fit_accounts": fit_rows["account_id"].n_unique(),
            "fit_defected_accounts": defected_accounts,
            "report_rows": report_rows.height,
            "report_accounts": report_rows["account_id"].n_unique(),
            "report_defected_accounts": report_rows.filter("defected")["account_id"].n_unique(),
            "refit": settings.refit,
            "refit_horizon_days": refit_h,
            "refit_horizon_reason": refit_h_reason,
            "refit_nights": [
                str(split.fit_from),
                str(split.last_night - timedelta(days=refit_h)),
            ],
            "refit_rows": all_rows.height,
            "refit_defected_accounts": all_rows.filter("defected")["account_id"].n_unique(),
            "regularisation_c": {"split": fitted.c, "refit": deployed.c},
            "regularisation_c_reason": {"split": fitted.c_reason, "refit": deployed.c_reason},
            "examples": "every account and fit night, weighted 1 / (the account's fit nights): "
            "each account counts once"
            + (
                f"; nights not satisfied weigh {settings.unsatisfied_weight:g} of that"
                if settings.unsatisfied_weight != 1
                else ""
            ),
            "threshold_scores": settings.threshold_scores,
        },
        "settings": asdict(settings),
        "comparison": comparison,
        "signals": per_signal,
    }


def _too_few_defections(have: int, split: Split, s: TuneConfig) -> str:
    """How many more defections the fit needs, and about how many more nights that is at the
    rate this history's fit window saw them."""
    missing = s.min_defections - have
    span = (split.fit_known_by - split.fit_from).days + 1
    more = (
        f" (about {math.ceil(missing * span / have)} more nights at this history's "
        f"{have} defections in {span} days)"
        if have
        else " (no account defected within the fit window yet)"
    )
    return (
        f"{have} accounts defected within {split.horizon_days} days of a fit night "
        f"({split.fit_from} .. {split.fit_to}, outcomes up to {split.fit_known_by}); tune "
        f"needs {s.min_defections}: {missing} more defections{more}"
    )


def write_proposal(lake: Path, proposal: dict[str, Any]) -> tuple[Path, Path]:
    """The latest proposal's report, as JSON and Markdown, under <lake>/state/scorecards/."""
    folder = proposals_dir(lake)
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "report.json", folder / "report.md"
    json_path.write_text(json.dumps(proposal, indent=2, default=str) + "\n")
    md_path.write_text(render_markdown(proposal))
    return json_path, md_path


def show(lake: Path) -> str:
    card = store.active_scorecard(lake)
    stack = store.applied_stack(lake)
    if card is None:
        default = active(lake)
        return (
            f"active scorecard: {default.version} (the repo's seed, "
            f"dbt_project/seeds/signal_weights.csv; high {default.high}, medium {default.medium})"
        )
    data = card.get("data", {})
    lines = [
        f"active scorecard: {card['version']} (applied {card.get('applied_at', '?')}, "
        f"replaces {card.get('replaces', '?')})",
        f"  fitted {card.get('created_at', '?')} by code {card.get('code_version', '?')} on "
        f"{card.get('warehouse', '?')}",
        f"  nights {data.get('first_night')} .. {data.get('last_night')}; fit "
        f"{' .. '.join(data.get('fit_nights', []))}, held back "
        f"{' .. '.join(data.get('report_nights', []))}",
        f"  thresholds: high {card['thresholds']['high']}, medium {card['thresholds']['medium']}",
        "  weights: "
        + ", ".join(
            f"{k} {v}" for k, v in sorted(card["weights"].items(), key=lambda kv: -kv[1]) if v
        ),
        f"  applied versions (oldest first): {', '.join(stack)}",
    ]
    return "\n".join(lines)


def apply_proposal(lake: Path, proposal: dict[str, Any]) -> str:
    card = {**proposal, "applied_at": datetime.now(UTC).isoformat(timespec="seconds")}
    return store.apply(lake, card)


def run(warehouse: Path, lake: Path, mode: str | None, settings: TuneConfig) -> int:
    """The CLI: `mode` is None (propose and report), 'apply', 'show' or 'revert'.
    Exit code 0 done; 1 too little history (nothing changed)."""
    if mode == "show":
        print(show(lake))
        return 0
    if mode == "revert":
        stack = store.applied_stack(lake)
        if not stack:
            print("rapport tune: nothing to revert: the default scorecard is active")
            return 1
        now = store.revert(lake)
        print(f"reverted {stack[-1]}: the next rapport run scores with {now}")
        return 0
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist: run some nights first")
    try:
        proposal = propose(warehouse, lake, settings)
    except NotEnoughHistory as exc:
        print(f"rapport tune: too little history, nothing changed: {exc}")
        return 1
    json_path, md_path = write_proposal(lake, proposal)
    print(render_markdown(proposal))
    print(f"report: {md_path} and {json_path}")
    if mode == "apply":
        version = apply_proposal(lake, proposal)
        print(
            f"applied {version}: the next rapport run scores with it (rapport tune --revert goes back)"
        )
    return 0
