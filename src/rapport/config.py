"""Run configuration from `rapport.toml` (schedule, sensors, quality gates)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "rapport.toml"


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
class RapportConfig:
    schedule: ScheduleConfig = ScheduleConfig()
    sensors: SensorConfig = SensorConfig()
    quality: QualityConfig = QualityConfig()


def load_config(path: Path = DEFAULT_CONFIG) -> RapportConfig:
    """Read the file; a missing file means the documented defaults."""
    if not path.exists():
        return RapportConfig()
    raw = tomllib.loads(path.read_text())
    return RapportConfig(
        schedule=ScheduleConfig(**raw.get("schedule", {})),
        sensors=SensorConfig(**raw.get("sensors", {})),
        quality=QualityConfig(**raw.get("quality", {})),
    )
