"""`[tune]` of rapport.toml: light to import (no numpy or scikit-learn)."""

from __future__ import annotations

from dataclasses import dataclass

RULES = ("precision", "share", "recall")
REFIT_HORIZONS = ("split", "longest")
DROP_RULES = ("all", "worst")
THRESHOLD_SCORES = ("in_sample", "cross_validated")


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
    # the fit recipe (validity4): rapport.toml documents each
    standardise: bool = False
    c_candidates: tuple[float, ...] = ()
    cv_folds: int = 5
    unsatisfied_weight: float = 0.3
    drop_protective: str = "all"
    threshold_scores: str = "in_sample"

    def __post_init__(self) -> None:
        # a TOML array arrives as a list: keep the dataclass hashable and immutable
        object.__setattr__(self, "c_candidates", tuple(float(c) for c in self.c_candidates))
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
        if self.drop_protective not in DROP_RULES:
            raise ValueError(
                f"tune.drop_protective is one of {', '.join(DROP_RULES)}, "
                f"not {self.drop_protective!r}"
            )
        if self.threshold_scores not in THRESHOLD_SCORES:
            raise ValueError(
                f"tune.threshold_scores is one of {', '.join(THRESHOLD_SCORES)}, "
                f"not {self.threshold_scores!r}"
            )
        if any(c <= 0 for c in self.c_candidates):
            raise ValueError(f"tune.c_candidates must all be above 0, got {self.c_candidates}")
        if self.cv_folds < 2:
            raise ValueError(f"tune.cv_folds must be at least 2, got {self.cv_folds}")
        if not 0 <= self.unsatisfied_weight <= 1:
            raise ValueError(
                f"tune.unsatisfied_weight must be between 0 and 1, got {self.unsatisfied_weight}"
            )
        if self.min_fit_nights < 1:
            raise ValueError(f"tune.min_fit_nights must be at least 1, got {self.min_fit_nights}")
        if not 0 < self.report_share < 1:
            raise ValueError(f"tune.report_share must be between 0 and 1, got {self.report_share}")
