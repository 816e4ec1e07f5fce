"""The scorecard a run scores with: signal weights and the high/medium thresholds, from the
installation's applied tune or, by default, the repo's seed and dbt_project.yml."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from rapport.project import dbt_project_dir
from rapport.tune import store


@dataclass(frozen=True)
class Scorecard:
    version: str
    weights: dict[str, int]
    high: int
    medium: int


def project_vars(project: Path | None = None) -> dict:
    project = project or dbt_project_dir()
    return yaml.safe_load((project / "dbt_project.yml").read_text())["vars"]


def default_scorecard(project: Path | None = None) -> Scorecard:
    """The repo's seed and thresholds: what a new installation scores with."""
    project = project or dbt_project_dir()
    with (project / "seeds" / "signal_weights.csv").open(newline="") as f:
        weights = {row["signal"]: int(row["weight"]) for row in csv.DictReader(f)}
    v = project_vars(project)
    return Scorecard(
        str(v["weights_version"]),
        weights,
        int(v["high_risk_threshold"]),
        int(v["medium_risk_threshold"]),
    )


def active(lake: Path, project: Path | None = None) -> Scorecard:
    """What the next run of this installation scores with."""
    card = store.active_scorecard(lake)
    if card is None:
        return default_scorecard(project)
    t = card["thresholds"]
    return Scorecard(
        card["version"],
        {k: int(w) for k, w in card["weights"].items()},
        int(t["high"]),
        int(t["medium"]),
    )
