"""Run configuration from `rapport.toml` (schedule, sensors, quality gates, ingest, money,
alerts, report, tune, engine, lake store)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import get_args, get_origin, get_type_hints

from rapport.project import CONFIG_ENV, chosen_config, default_config
from rapport.quality_gate import GateRule
from rapport.tune.config import TuneConfig


@dataclass(frozen=True)
class ScheduleConfig:
    cron: str = "0 2 * * *"
    timezone: str = "UTC"


@dataclass(frozen=True)
class SensorConfig:
    interval_seconds: int = 60

    def __post_init__(self) -> None:
        if self.interval_seconds < 1:
            raise ValueError(
                f"sensors.interval_seconds must be 1 or more, got {self.interval_seconds}"
            )


@dataclass(frozen=True)
class QualityConfig:
    max_quarantined_share: float = 0.05
    min_quarantined_rows: int = 3
    quarantine_share_of: str = "file"

    def __post_init__(self) -> None:
        self.gate_rule  # noqa: B018 (validates the values)

    @property
    def gate_rule(self) -> GateRule:
        """The quarantine gate (`rapport.quality_gate`)."""
        return GateRule(
            self.max_quarantined_share, self.min_quarantined_rows, self.quarantine_share_of
        )


@dataclass(frozen=True)
class IngestConfig:
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
class EngineConfig:
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

    def __post_init__(self) -> None:
        for name in ("trend_nights", "top_rows"):
            if getattr(self, name) < 1:
                raise ValueError(f"report.{name} must be 1 or more, got {getattr(self, name)}")


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
class PublishConfig:
    """What each publish writes besides the serving file (`[publish]` in rapport.toml)."""

    # every published mart as Parquet per night under <warehouse folder>/exports/<night>/
    parquet_exports: bool = True
    # the same as CSV (text cells that a spreadsheet would run as formulas get a ' prefix)
    csv_exports: bool = False
    # keep the latest N nights of exports (0: every night)
    keep_export_nights: int = 30
    # `dbt docs generate --static` into <warehouse folder>/docs/dbt/index.html
    dbt_docs: bool = True
    # the DuckDB storage format of the serving file: the oldest DuckDB release that must open
    # it (BI drivers and the `duckdb-cli` package bundle DuckDB 1.x); "" = this DuckDB's own
    storage_compatibility_version: str = "v1.4.0"

    def __post_init__(self) -> None:
        if self.keep_export_nights < 0:
            raise ValueError(
                f"publish.keep_export_nights must be 0 or more, got {self.keep_export_nights}"
            )


@dataclass(frozen=True)
class LakeStoreConfig:
    """How to reach a lake on an object store (`--lake s3://bucket/prefix`): the NAMES of the
    environment variables that hold the endpoint and the credentials (read when a run starts;
    an unset one leaves botocore's own chain: AWS_* variables, ~/.aws, an instance role)."""

    endpoint_url_env: str = "RAPPORT_S3_ENDPOINT_URL"
    access_key_id_env: str = "RAPPORT_S3_ACCESS_KEY_ID"
    secret_access_key_env: str = "RAPPORT_S3_SECRET_ACCESS_KEY"
    # empty: botocore's (AWS_DEFAULT_REGION, ~/.aws/config)
    region: str = ""


@dataclass(frozen=True)
class RapportConfig:
    schedule: ScheduleConfig = ScheduleConfig()
    sensors: SensorConfig = SensorConfig()
    quality: QualityConfig = QualityConfig()
    ingest: IngestConfig = IngestConfig()
    money: MoneyConfig = MoneyConfig()
    alerts: AlertConfig = AlertConfig()
    report: ReportConfig = ReportConfig()
    engine: EngineConfig = EngineConfig()
    tune: TuneConfig = TuneConfig()
    landing: LandingConfig = LandingConfig()
    runs: RunLockConfig = RunLockConfig()
    publish: PublishConfig = PublishConfig()
    lake_store: LakeStoreConfig = LakeStoreConfig()


class ConfigError(ValueError):
    """`rapport.toml` cannot be used; the message names the file, the setting and why."""


def load_config(path: Path | None = None) -> RapportConfig:
    """Read the file (default: the one $RAPPORT_CONFIG names, else the project's
    `rapport.toml`); a missing section, or a missing project file, means the documented
    defaults. A setting that is unknown, of the wrong type or out of
    range raises ConfigError naming the file and the setting."""
    path = path or default_config()
    if not path.exists():
        if path == chosen_config():  # a file named on purpose that is not there is a mistake
            raise ConfigError(f"{path}: no such file ({CONFIG_ENV} or --config names it)")
        return RapportConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    sections = {f.name: f.type for f in fields(RapportConfig)}
    if unknown := sorted(set(raw) - set(sections)):
        raise ConfigError(
            f"{path}: [{unknown[0]}] is not a section of rapport.toml "
            f"(known: {', '.join(sections)})"
        )
    kinds = get_type_hints(RapportConfig)
    return RapportConfig(
        **{name: _section(path, name, kinds[name], raw.get(name, {})) for name in sections}
    )


def _section(path: Path, name: str, cls: type, values: object) -> object:
    where = f"{path}: [{name}]"
    if not isinstance(values, dict):
        raise ConfigError(f"{where} must be a table of settings, not {values!r}")
    kinds = get_type_hints(cls)
    for key, value in values.items():
        if key not in kinds:
            raise ConfigError(
                f"{where} {key} is not a setting (known: {', '.join(f.name for f in fields(cls))})"
            )
        if expected := _wrong_type(value, kinds[key]):
            raise ConfigError(f"{where} {key} = {value!r}: expected {expected}")
    try:
        return cls(**values)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{where}: {e}") from None


def _wrong_type(value: object, kind: object) -> str | None:
    """What a setting of this annotation must be, when ``value`` is not that (else None)."""
    if kind is bool:
        return None if isinstance(value, bool) else "true or false"
    if kind is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else "an integer"
    if kind is float:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return None if number else "a number"
    if kind is str:
        return None if isinstance(value, str) else "a string in quotes"
    if get_origin(kind) is tuple:
        items = value if isinstance(value, list | tuple) else None
        ok = items is not None and all(_wrong_type(v, get_args(kind)[0]) is None for v in items)
        return None if ok else f"a list whose items are each {_wrong_type(None, get_args(kind)[0])}"
    return None
