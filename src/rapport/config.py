"""Run configuration from `rapport.toml` (schedule, sensors, quality gates, ingest, tune)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from rapport.project import default_config
from rapport.tune.settings import TuneSettings


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
class RapportConfig:
    schedule: ScheduleConfig = ScheduleConfig()
    sensors: SensorConfig = SensorConfig()
    quality: QualityConfig = QualityConfig()
    ingest: IngestSettings = IngestSettings()
    tune: TuneSettings = TuneSettings()


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
        tune=TuneSettings(**raw.get("tune", {})),
    )
