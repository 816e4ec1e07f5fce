"""The engine that runs the dbt models (DuckDB or Spark): the dbt profile that points dbt at
it, and where the marts it built can be read from.

DuckDB builds into one file (`<lake>/build/rapport_build.duckdb`). Spark writes every model
as Parquet under `<lake>/warehouse/<schema>.db/<model>/` (the `spark__create_schema` macro
puts each schema there), with its catalog in `<lake>/spark/` when Spark runs in-process.
Either way the publish step and the quality checks read the marts through DuckDB.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from rapport.config import EngineConfig
from rapport.paths import Paths, PathsError
from rapport.raw_zone import profile_filesystem

PROFILE_HEADER = "# Written by Rapport for each run: dbt builds with the configured engine.\n"


@dataclass(frozen=True)
class Engine:
    settings: EngineConfig
    paths: Paths
    threads: int = 2

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def spark_home(self) -> Path:
        """The in-process Spark's catalog (Derby metastore) and default warehouse."""
        return self.paths.lake_layout.spark_home

    def marts_dir(self, schema: str, table: str) -> Path:
        """Where Spark keeps a model's Parquet files."""
        return self.paths.lake_layout.spark_table(schema, table)

    def require_installed(self) -> None:
        """Fail early, in one line, when this engine cannot run here."""
        if self.name != "spark":
            return
        raw = self.paths.raw_zone
        if raw.remote and self.settings.spark_method == "session":
            raise PathsError(
                f"engine spark in a local session cannot read the raw zone at {raw.root}: "
                "Spark's object-store connector (hadoop-aws) is not installed with pyspark; "
                "use a cluster that has it (spark_method thrift or http, an s3a:// lake) "
                "or a local lake (README, 'The lake on shared storage')"
            )
        if importlib.util.find_spec("dbt.adapters.spark") is None:
            raise PathsError(
                "engine spark needs dbt-spark and pyspark: install them with "
                "`uv sync --extra spark`"
            )
        if self.settings.spark_method == "session" and shutil.which("java") is None:
            raise PathsError(
                "engine spark (spark_method session) needs a Java 17 runtime on PATH, "
                "e.g. `apt-get install openjdk-17-jre-headless`"
            )

    def profile(self) -> str:
        """profiles.yml for this run (the token of an http endpoint is read now, from the
        environment variable the configuration names)."""
        output = self._duckdb_output() if self.name == "duckdb" else self._spark_output()
        body = {"rapport": {"target": self.name, "outputs": {self.name: output}}}
        return PROFILE_HEADER + yaml.safe_dump(body, sort_keys=False)

    def _duckdb_output(self) -> dict[str, object]:
        output: dict[str, object] = {
            "type": "duckdb",
            "path": self.paths.build_db.as_posix(),
            "threads": self.threads,
        }
        raw = self.paths.raw_zone
        if raw.protocol is not None:
            # DuckDB reads the object store through fsspec: no httpfs extension to download
            output["filesystems"] = [profile_filesystem(raw.protocol, raw.store)]
        return output

    def _spark_output(self) -> dict[str, object]:
        s = self.settings
        common: dict[str, object] = {"type": "spark", "schema": "rapport", "threads": self.threads}
        if s.spark_method == "session":
            home = self.spark_home.as_posix()
            return {
                **common,
                "method": "session",
                "host": "NA",
                "server_side_parameters": {
                    "spark.master": f"local[{self.threads}]",
                    "spark.sql.warehouse.dir": f"{home}/warehouse",
                    "spark.hadoop.javax.jdo.option.ConnectionURL": (
                        f"jdbc:derby:;databaseName={home}/metastore_db;create=true"
                    ),
                    "spark.driver.extraJavaOptions": f"-Dderby.system.home={home}",
                    "spark.driver.memory": s.spark_driver_memory,
                    "spark.sql.shuffle.partitions": str(s.spark_shuffle_partitions),
                    "spark.sql.session.timeZone": "UTC",
                    "spark.ui.enabled": "false",
                    # dbt's structured log is read line by line from the same stdout the
                    # JVM writes to: its stage progress bars (no newline) and WARN lines
                    # broke dbt's event lines, so Dagster lost model outputs and skipped
                    # the steps after them
                    "spark.ui.showConsoleProgress": "false",
                    "spark.log.level": "ERROR",
                },
            }
        if s.spark_method == "thrift":
            return {
                **common,
                "method": "thrift",
                "host": s.spark_host,
                "port": s.spark_port,
                **({"user": s.spark_user} if s.spark_user else {}),
            }
        token = os.environ.get(s.spark_token_env)
        if not token:
            raise PathsError(
                f"engine.spark_method 'http' needs a token in ${s.spark_token_env}, which is not set"
            )
        target = (
            {"endpoint": s.spark_endpoint} if s.spark_endpoint else {"cluster": s.spark_cluster}
        )
        return {
            **common,
            "method": "http",
            "host": s.spark_host,
            "port": s.spark_port,
            "token": token,
            **target,
        }

    def attach_build(
        self,
        con: duckdb.DuckDBPyConnection,
        tables: tuple[tuple[str, str], ...],
        manifest: Path | None = None,
    ) -> None:
        """Make `build.<schema>.<table>` readable on `con` for each (schema, table): the build
        file itself (DuckDB), or views over the Parquet Spark wrote, carrying the models'
        dbt descriptions from `manifest` as comments (Spark keeps none in Parquet). Files are
        read by column name: a history's older partitions lack the columns added since."""
        if self.name == "duckdb":
            if not self.paths.build_db.exists():
                raise PathsError(
                    f"build warehouse {self.paths.build_db} does not exist: nothing built yet"
                )
            con.execute(f"attach '{_quote(self.paths.build_db)}' as build (read_only)")
            return
        con.execute("attach ':memory:' as build")
        nodes = _model_nodes(manifest) if manifest and manifest.exists() else {}
        docs = {key: _docs(node) for key, node in nodes.items()}
        for schema, table in tables:
            folder = self.marts_dir(schema, table)
            if not folder.is_dir():
                raise PathsError(f"Spark wrote no {schema}.{table} at {folder}")
            con.execute(f"create schema if not exists build.{schema}")
            view = f"build.{schema}.{table}"
            if any(folder.rglob("*.parquet")):
                con.execute(
                    f"create view {view} as select * from read_parquet("
                    f"'{_quote(folder)}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
                )
            else:
                # a partitioned table with no rows (the movers of a first night): Spark writes
                # its folder and no file, so its columns come from the model's contract
                con.execute(f"create view {view} as {_empty_select(nodes, schema, table, folder)}")
            described, columns = docs.get((schema, table), ("", {}))
            if described:
                con.execute(f"comment on view {view} is {_literal(described)}")
            present = {r[0] for r in con.execute(f"describe {view}").fetchall()}
            for column, text in columns.items():
                if text and column in present:
                    con.execute(f'comment on column {view}."{column}" is {_literal(text)}')


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _model_nodes(manifest: Path) -> dict[tuple[str, str], dict]:
    """(schema, model) -> the model's node in a dbt manifest."""
    nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    return {
        (node["schema"], node.get("alias") or node["name"]): node
        for node in nodes.values()
        if node.get("resource_type") == "model"
    }


def _docs(node: dict) -> tuple[str, dict[str, str]]:
    """A model's (description, {column: description})."""
    columns = node.get("columns", {})
    return node.get("description") or "", {
        c: v.get("description") or "" for c, v in columns.items()
    }


def _empty_select(nodes: dict[tuple[str, str], dict], schema: str, table: str, folder: Path) -> str:
    """A zero-row select with the columns and types of the model's contract."""
    columns = nodes.get((schema, table), {}).get("columns", {})
    typed = [(name, c.get("data_type")) for name, c in columns.items()]
    if not typed or any(kind is None for _, kind in typed):
        raise PathsError(
            f"Spark wrote no Parquet for {schema}.{table} at {folder} (no rows), and dbt's "
            "manifest gives no column types to describe it"
        )
    fields = ", ".join(f'cast(null as {kind}) as "{name}"' for name, kind in typed)
    return f"select {fields} where false"
