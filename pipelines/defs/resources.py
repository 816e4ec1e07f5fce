"""Resources: the paths of one Rapport installation, and dbt pointed at its build warehouse."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from datetime import date
from functools import cached_property
from importlib import metadata
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from pipelines.defs.dbt_project import rapport_dbt_project
from rapport.config import load_config
from rapport.engine import Engine
from rapport.first_night import first_night
from rapport.paths import Paths
from rapport.tune import store


class LocalDbtCli(DbtCliResource):
    """The dbt CLI of this environment. dagster-dbt asks the executable for its version with
    a `dbt --version` subprocess on every new resource (its cost: docs/performance.md); the
    executable is this venv's, so the installed dbt-core package already says it."""

    # Private: dagster-dbt has no public setting for the version (nor to skip asking for it),
    # so the cached property it reads is overridden; check it when upgrading dagster-dbt.
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    # Private, for the same reason: before every dbt command dagster-dbt builds a dbt adapter
    # in this process (dbt's imports, profile, project and macros: docs/performance.md) for
    # `fetch_column_metadata` and `fetch_row_counts` only, which Rapport does not call, and
    # has no public setting to skip it. Without an adapter the invocation runs as usual.
    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


class RapportResource(dg.ConfigurableResource):
    """The landing folder, the lake (raw zone and run state; `lake_dir` may be an object-store
    URL, rapport.raw_zone) and the serving warehouse."""

    landing_dir: str
    lake_dir: str
    warehouse_path: str
    dbt_threads: int = 2
    # "duckdb" or "spark"; empty: rapport.toml's [engine] name
    engine_name: str = ""

    @property
    def paths(self) -> Paths:
        return Paths.resolve(self.warehouse_path, landing=self.landing_dir, lake=self.lake_dir)

    @property
    def engine(self) -> Engine:
        """The engine that runs the models: rapport.toml's [engine], its name overridden by
        `engine_name` when set (`rapport run --engine`)."""
        settings = load_config().engine
        if self.engine_name:
            settings = dataclasses.replace(settings, name=self.engine_name)
        return Engine(settings, self.paths, self.dbt_threads)

    def dbt(self) -> DbtCliResource:
        """A dbt CLI whose profile points at this installation's engine (DuckDB build file
        or Spark)."""
        profiles_dir = self.paths.lake_layout.dbt_profiles_dir / self.engine.name
        profiles_dir.mkdir(parents=True, exist_ok=True)
        (profiles_dir / "profiles.yml").write_text(self.engine.profile())
        return LocalDbtCli(
            project_dir=rapport_dbt_project,
            profiles_dir=str(profiles_dir),
            dbt_executable=str(Path(sys.executable).with_name("dbt")),
        )

    def dbt_vars(self, **window: str | None) -> dict[str, object]:
        """The lake, the records, the nights, and the installation's applied scorecard (if any)."""
        lake = self.paths.lake
        return {
            "lake_root": Path(lake).as_posix(),
            "raw_root": self.paths.raw_zone.root,
            "records_root": self.paths.records_dir.as_posix(),
            **store.dbt_vars(lake),
            **window,
        }


def env_resources() -> dict[str, object]:
    """Resources configured from the environment (`dagster dev` reads `.env`)."""
    return {
        "rapport": RapportResource(
            landing_dir=dg.EnvVar("RAPPORT_LANDING"),
            lake_dir=dg.EnvVar("RAPPORT_LAKE"),
            warehouse_path=dg.EnvVar("RAPPORT_WAREHOUSE"),
        )
    }


def env_first_night() -> date | None:
    """The first night of the installation the RAPPORT_* variables name, if they are set."""
    warehouse = os.environ.get("RAPPORT_WAREHOUSE")
    if not warehouse:
        return None
    paths = Paths.resolve(
        warehouse, landing=os.environ.get("RAPPORT_LANDING"), lake=os.environ.get("RAPPORT_LAKE")
    )
    return first_night(paths)


def explicit_resources(paths: Paths, engine: str = "") -> dict[str, object]:
    """Resources for a run the CLI starts with explicit paths (and, if given, engine)."""
    return {
        "rapport": RapportResource(
            landing_dir=str(paths.landing),
            lake_dir=paths.lake_location,
            warehouse_path=str(paths.warehouse),
            engine_name=engine,
        )
    }
