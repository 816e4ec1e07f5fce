"""Where a Rapport installation keeps its files, derived from a few explicit paths.

Everything a run keeps (the lake: raw zone, quarantine, load records, run state, the build
warehouse; quality results; the Dagster instance) lives beside the serving warehouse unless
told otherwise, so two warehouses never share state. What is under the lake is
`rapport.lake.Lake`'s to say; `rapport.config` is the other kind of setting (`rapport.toml`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapport.config import load_config
from rapport.lake import Lake
from rapport.raw_zone import RawZone, is_url


class PathsError(ValueError):
    """A path in the configuration is unusable; the message says which and why."""


@dataclass(frozen=True)
class Paths:
    landing: Path
    lake: Path  # the lake's local folder
    warehouse: Path
    # an object-store lake (`--lake s3://bucket/prefix`): its raw zone is there, the rest of
    # the lake in `lake` (rapport.raw_zone); "" = the whole lake is `lake`
    lake_url: str = ""

    @classmethod
    def resolve(
        cls,
        warehouse: str | Path,
        landing: str | Path | None = None,
        lake: str | Path | None = None,
    ) -> Paths:
        """Absolute paths; the lake defaults to `lake/` beside the warehouse file, which also
        holds the local part of a lake given as an object-store URL."""
        wh = Path(warehouse).expanduser().resolve()
        if wh.suffix != ".duckdb":
            raise PathsError(f"warehouse {wh} must be a .duckdb file path")
        if wh.exists() and wh.is_dir():
            raise PathsError(f"warehouse {wh} is a directory, not a file")
        land = Path(landing).expanduser().resolve() if landing else wh.parent / "landing"
        url = str(lake).rstrip("/") if lake and is_url(str(lake)) else ""
        lk = Path(lake).expanduser().resolve() if lake and not url else wh.parent / "lake"
        if lk.exists() and not lk.is_dir():
            raise PathsError(f"lake {lk} is a file, not a folder")
        if land.exists() and not land.is_dir():
            raise PathsError(f"landing {land} is a file, not a folder")
        return cls(landing=land, lake=lk, warehouse=wh, lake_url=url)

    @property
    def lake_location(self) -> str:
        """The lake as given: its URL, or its local folder."""
        return self.lake_url or str(self.lake)

    @property
    def raw_zone(self) -> RawZone:
        """Where the ingest writes the typed Parquet and the engine reads it."""
        return RawZone.under(self.lake_location, load_config().lake_store)

    @property
    def lake_layout(self) -> Lake:
        """The paths under the lake."""
        return Lake(self.lake)

    @property
    def build_db(self) -> Path:
        """The warehouse dbt builds into; users read the published copy (`warehouse`)."""
        return self.lake_layout.build_db

    @property
    def records_dir(self) -> Path:
        """What people decided and were told (overrides, raised alerts): beside the lake, not
        in it, so a lake rebuilt from the landing keeps them."""
        return self.warehouse.parent / "records"

    @property
    def quality_dir(self) -> Path:
        return self.warehouse.parent / "quality"

    @property
    def exports_dir(self) -> Path:
        """Each published mart as Parquet (and CSV) per night: `<exports_dir>/<night>/`."""
        return self.warehouse.parent / "exports"

    @property
    def store_exports(self) -> str:
        """Where each exported night is copied on an object-store lake (`<URL>/exports`);
        "" for a local lake."""
        return f"{self.lake_url}/exports" if self.lake_url else ""

    @property
    def docs_dir(self) -> Path:
        """The dbt docs of the latest publish (`dbt docs generate --static`)."""
        return self.warehouse.parent / "docs"

    @property
    def dagster_home(self) -> Path:
        """Used when DAGSTER_HOME is not set."""
        return self.warehouse.parent / "dagster"

    def require_lake(self) -> None:
        """An object-store lake must be reachable before a run starts."""
        if self.lake_url and (why := self.raw_zone.unreachable()):
            raise PathsError(f"lake {self.lake_url} cannot be used: {why}")

    def require_landing(self) -> None:
        if not self.landing.is_dir():
            raise PathsError(f"landing folder {self.landing} does not exist")
