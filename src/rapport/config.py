"""Run configuration from `rapport.toml` (schedule, sensors, quality gates, ingest, engine)."""

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


ENGINES = ("duckdb", "spark")
SPARK_METHODS = ("session", "thrift", "http")


@dataclass(frozen=True)
class EngineSettings:
    """Which engine runs the dbt models, and how to reach Spark when it is Spark."""

    name: str = "duckdb"
    # session: pyspark inside the dbt process (one machine, CI); thrift: a Spark Thrift
    # Server; http: a Databricks-style SQL endpoint
    spark_method: str = "session"
    spark_host: str = ""
    spark_port: int = 443
    spark_cluster: str = ""
    spark_endpoint: str = ""
    spark_user: str = ""
    # the name of the environment variable holding the token (http), read when a run starts
    spark_token_env: str = "RAPPORT_SPARK_TOKEN"
    spark_driver_memory: str = "2g"
    spark_shuffle_partitions: int = 4

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise ValueError(f"engine.name must be one of {', '.join(ENGINES)}, got {self.name!r}")
        if self.spark_method not in SPARK_METHODS:
            raise ValueError(
                f"engine.spark_method must be one of {', '.join(SPARK_METHODS)}, "
                f"got {self.spark_method!r}"
            )
        if self.spark_method != "session" and not self.spark_host:
            raise ValueError(f"engine.spark_method {self.spark_method!r} needs engine.spark_host")


@dataclass(frozen=True)
class RapportConfig:
    schedule: ScheduleConfig = ScheduleConfig()
    sensors: SensorConfig = SensorConfig()
    quality: QualityConfig = QualityConfig()
    ingest: IngestSettings = IngestSettings()
    engine: EngineSettings = EngineSettings()


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
        engine=EngineSettings(**raw.get("engine", {})),
    )
