"""The lake's layout: every path under `<lake>/`, named once.

```
<lake>/raw/<source>/<object>/dt=<D>/part-0.parquet      typed rows (dbt's sources)
<lake>/raw/<source>/<object>/_schema/part-0.parquet     zero rows: the object's schema
<lake>/raw/rapport/deliveries/<source>/dt=<D>/          the deliveries table (one row a load)
<lake>/quarantine/<source>/<object>/dt=<D>/             refused rows and files
<lake>/manifests/<source>/dt=<D>.json                   load records: what a load read and wrote
<lake>/state/                                           run state (published, retracted, hashes, lock, raw zone)
<lake>/build/                                           the build warehouse, dbt's targets
<lake>/warehouse/, <lake>/spark/                        Spark's models and catalog (engine spark)
<lake>/logs/                                            the last run's dbt lines
<lake>/.tmp/                                            scratch folders of writes in progress
```

The on-disk names are kept as earlier versions wrote them (an existing lake stays readable);
in code the JSON files under `manifests/` are *load records*, and "manifest" means dbt's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rapport.contract import SourceObject

RAW = "raw"
QUARANTINE = "quarantine"
PART = "part-0.parquet"
SCHEMA_FOLDER = "_schema"  # Spark skips folders starting with `_`; DuckDB's glob reads it
DELIVERIES = ("rapport", "deliveries")  # (source, object) of the deliveries table


def night_folder(night: date) -> str:
    return f"dt={night.isoformat()}"


@dataclass(frozen=True)
class Lake:
    """The paths under one lake folder (nothing is created or read here)."""

    root: Path

    # zones
    def object_dir(self, zone: str, source: str, name: str) -> Path:
        """One object's folder in the ``raw`` or ``quarantine`` zone (every night below)."""
        return self.root / zone / source / name

    def partition(self, zone: str, obj: SourceObject, night: date) -> Path:
        """The folder of one object's night in the ``raw`` or ``quarantine`` zone."""
        return self.object_dir(zone, obj.source, obj.name) / night_folder(night)

    def raw_partition(self, source: str, name: str, night: date) -> Path:
        return self.object_dir(RAW, source, name) / night_folder(night)

    def schema_file(self, source: str, name: str) -> Path:
        """The zero-row file that keeps an object readable before its first night."""
        return self.object_dir(RAW, source, name) / SCHEMA_FOLDER / PART

    @property
    def quarantine_dir(self) -> Path:
        return self.root / QUARANTINE

    # the deliveries table (read by dbt as `raw/rapport/deliveries`)
    def deliveries_dir(self, source: str) -> Path:
        return self.object_dir(RAW, *DELIVERIES) / source

    def deliveries_partition(self, source: str, night: date) -> Path:
        return self.deliveries_dir(source) / night_folder(night)

    @property
    def deliveries_schema_file(self) -> Path:
        return self.deliveries_dir(SCHEMA_FOLDER) / SCHEMA_FOLDER / PART

    # load records
    @property
    def load_records_root(self) -> Path:
        return self.root / "manifests"

    def load_records_dir(self, source: str) -> Path:
        return self.load_records_root / source

    def load_record(self, source: str, night: date) -> Path:
        return self.load_records_dir(source) / f"{night_folder(night)}.json"

    # run state
    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def published_state(self) -> Path:
        """The fingerprints of the deliveries the serving warehouse was built from."""
        return self.state_dir / "published.json"

    @property
    def retracted_state(self) -> Path:
        """Retracted nights and their landing fingerprints (`rapport.retract`)."""
        return self.state_dir / "retracted.json"

    @property
    def raw_zone_state(self) -> Path:
        """Where an object-store raw zone is (`rapport.raw_zone_home`); absent: under the lake."""
        return self.state_dir / "raw_zone.json"

    @property
    def run_lock(self) -> Path:
        """One writing run at a time (`rapport.lake_lock`)."""
        return self.state_dir / "run.lock"

    @property
    def scorecards_dir(self) -> Path:
        """Applied and proposed scorecards (`rapport tune`)."""
        return self.state_dir / "scorecards"

    @property
    def landing_hashes(self) -> Path:
        """The landing files' digests, by identity and stat (`rapport.ingest.hashes`)."""
        return self.state_dir / "landing_hashes.json"

    # build warehouse
    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def build_db(self) -> Path:
        """The warehouse dbt builds into; users read the published copy."""
        return self.build_dir / "rapport_build.duckdb"

    @property
    def dbt_targets(self) -> Path:
        return self.build_dir / "dbt_target"

    def dbt_target(self, step: str) -> Path:
        """dbt's target folder of one step (`nightly`, `current`, `docs`)."""
        return self.dbt_targets / step

    @property
    def dbt_profiles_dir(self) -> Path:
        return self.build_dir / "profiles"

    # Spark (engine = "spark")
    @property
    def spark_home(self) -> Path:
        """The in-process Spark's catalog (Derby metastore) and default warehouse."""
        return self.root / "spark"

    def spark_table(self, schema: str, table: str) -> Path:
        """Where Spark keeps a model's Parquet files."""
        return self.root / "warehouse" / f"{schema}.db" / table

    # logs
    @property
    def run_log(self) -> Path:
        """dbt's lines of the last `rapport run` (unless `--verbose`)."""
        return self.root / "logs" / "last_run.log"

    # writes in progress
    @property
    def scratch_root(self) -> Path:
        return self.root / ".tmp"

    def scratch_dir(self, source: str, name: str) -> Path:
        return self.scratch_root / source / name
