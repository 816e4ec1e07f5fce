"""Run configuration from `rapport.toml` (schedule, sensors, quality gates, ingest, money,
alerts, report)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from rapport.project import default_config


@dataclass(frozen=True)
class ScheduleConfig:
    cron: str = "0 2 * * *"
    timezone: str = "UTC"


@dataclass(frozen=True)
class SensorConfig:
    interval_seconds: int = 60


@dataclass(frozen=True)
class QualityConfig:
    max_quarantined_share: float = 0.05

    def __post_init__(self) -> None:
        if not 0 <= self.max_quarantined_share <= 1:
            raise ValueError(
                f"quality.max_quarantined_share must be between 0 and 1, got {self.max_quarantined_share}"
            )


@dataclass(frozen=True)
class IngestSettings:
    # a step whose nights' landing files total at least this (MiB) loads and validates in a
    # child process, so that polars' and GX's memory goes back to the system before dbt runs
    isolate_above_mib: float = 256

    def __post_init__(self) -> None:
        if self.isolate_above_mib < 0:
            raise ValueError(
                f"ingest.isolate_above_mib must be 0 or more, got {self.isolate_above_mib}"
            )


@dataclass(frozen=True)
class MoneyConfig:
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if not self.currency.strip():
            raise ValueError("money.currency must not be empty")


@dataclass(frozen=True)
class AlertConfig:
    # the name of the environment variable holding the webhook URL ("" = do not post)
    webhook_url_env: str = ""
    timeout_seconds: float = 5
    post_within_nights: int = 1

    def __post_init__(self) -> None:
        if self.timeout_seconds <= 0:
            raise ValueError(f"alerts.timeout_seconds must be positive, got {self.timeout_seconds}")
        if self.post_within_nights < 1:
            raise ValueError(
                f"alerts.post_within_nights must be 1 or more, got {self.post_within_nights}"
            )


@dataclass(frozen=True)
class LandingConfig:
    """What a delivery must look like to be read (see `[landing]` in rapport.toml)."""

    # the plausible window of extract dates: not after today (UTC) + max_days_ahead, not
    # before the installation's first loaded night - max_days_before_first
    max_days_ahead: int = 1
    max_days_before_first: int = 365
    # a replay whose file delivers fewer than (1 - max_replay_drop) x the rows of the
    # delivery it replaces stops the night
    max_replay_drop: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.max_days_ahead <= 1:
            raise ValueError(
                "landing.max_days_ahead must be 0 or 1 (the nights' partitions end tomorrow), "
                f"got {self.max_days_ahead}"
            )
        if self.max_days_before_first < 0:
            raise ValueError(
                f"landing.max_days_before_first must be 0 or more, got {self.max_days_before_first}"
            )
        if not 0 <= self.max_replay_drop <= 1:
            raise ValueError(
                f"landing.max_replay_drop must be between 0 and 1, got {self.max_replay_drop}"
            )


@dataclass(frozen=True)
class ReportConfig:
    trend_nights: int = 28
    top_rows: int = 25


@dataclass(frozen=True)
class RunLockConfig:
    """Two runs on one lake: how long a second run waits for the first (see `[runs]`)."""

    lock_wait_seconds: float = 0

    def __post_init__(self) -> None:
        if self.lock_wait_seconds < 0:
            raise ValueError(
                f"runs.lock_wait_seconds must be 0 or more, got {self.lock_wait_seconds}"
            )


@dataclass(frozen=True)
class RapportConfig:
    schedule: ScheduleConfig = ScheduleConfig()
    sensors: SensorConfig = SensorConfig()
    quality: QualityConfig = QualityConfig()
    ingest: IngestSettings = IngestSettings()
    money: MoneyConfig = MoneyConfig()
    alerts: AlertConfig = AlertConfig()
    report: ReportConfig = ReportConfig()
    landing: LandingConfig = LandingConfig()
    runs: RunLockConfig = RunLockConfig()


def load_config(path: Path | None = None) -> RapportConfig:
    """Read the file (default: the project's `rapport.toml`); a missing file means the
    documented defaults."""
    path = path or default_config()
    if not path.exists():
        return RapportConfig()
    raw = tomllib.loads(path.read_text())
    return RapportConfig(
        schedule=ScheduleConfig(**raw.get("schedule", {})),
        sensors=SensorConfig(**raw.get("sensors", {})),
        quality=QualityConfig(**raw.get("quality", {})),
        ingest=IngestSettings(**raw.get("ingest", {})),
        money=MoneyConfig(**raw.get("money", {})),
        alerts=AlertConfig(**raw.get("alerts", {})),
        report=ReportConfig(**raw.get("report", {})),
        landing=LandingConfig(**raw.get("landing", {})),
        runs=RunLockConfig(**raw.get("runs", {})),
    )
