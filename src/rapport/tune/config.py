"""`[tune]` of rapport.toml: light to import (no numpy or scikit-learn)."""

from __future__ import annotations

from dataclasses import dataclass

RULES = ("precision", "share", "recall")
REFIT_HORIZONS = ("split", "longest")


@dataclass(frozen=True)
class TuneConfig:
    """`[tune]` of rapport.toml (documented there)."""

    horizon_days: int = 90
    min_horizon_days: int = 14
    min_fit_nights: int = 14
    refit: bool = True
    refit_horizon: str = "longest"
    min_defections: int = 20
    report_share: float = 0.3
    min_report_nights: int = 7
    regularisation_c: float = 0.5
    score_quantile: float = 0.99
    high_rule: str = "precision"
    high_target: float = 0.7
    medium_rule: str = "precision"
    medium_target: float = 0.4
    min_flagged: int = 5
    bootstrap_rounds: int = 50
    seed: int = 7

    def __post_init__(self) -> None:
        for rule in (self.high_rule, self.medium_rule):
            if rule not in RULES:
                raise ValueError(
                    f"tune: a threshold rule is one of {', '.join(RULES)}, not {rule!r}"
                )
        if not 0 < self.min_horizon_days <= self.horizon_days:
            raise ValueError(
                "tune.min_horizon_days must be between 1 and horizon_days, "
                f"got {self.min_horizon_days} (horizon_days {self.horizon_days})"
            )
        if self.refit_horizon not in REFIT_HORIZONS:
            raise ValueError(
                f"tune.refit_horizon is one of {', '.join(REFIT_HORIZONS)}, "
                f"not {self.refit_horizon!r}"
            )
        if self.min_fit_nights < 1:
            raise ValueError(f"tune.min_fit_nights must be at least 1, got {self.min_fit_nights}")
        if not 0 < self.report_share < 1:
            raise ValueError(f"tune.report_share must be between 0 and 1, got {self.report_share}")
