"""When the dbt docs site can be reused instead of running `dbt docs generate` again.

The static site is dbt's manifest and catalog in one page. The manifest follows from the
project's files, the vars, the profile and the dbt version; the catalog, on DuckDB, from the
build warehouse's relations and columns (names, types, comments: dbt-duckdb's catalog holds
no statistics). A fingerprint of all of these is kept beside the site dbt wrote; an equal
fingerprint means dbt would write the same docs (but for their generation time and id).
On Spark the catalog carries table statistics that change with every night's data, so there
is no fingerprint and the docs are always generated (docs/decisions.md, "Reuse the dbt docs
when nothing they show changed").
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import duckdb

from rapport.digest import json_digest

FINGERPRINT_FILE = "docs_fingerprint.txt"
SITE_FILE = "static_index.html"
# dbt's own output and local state in the project folder, not sources of the docs
_NOT_SOURCES = frozenset({"target", "logs", ".user.yml"})

_SCHEMA_SQL = """
select 'table' as kind, schema_name, table_name, null as column_name, null as column_index,
    null as data_type, comment
from duckdb_tables() where database_name = current_database()
union all
select 'view', schema_name, view_name, null, null, null, comment
from duckdb_views() where database_name = current_database() and not internal
union all
select 'column', schema_name, table_name, column_name, column_index, data_type, comment
from duckdb_columns() where database_name = current_database() and not internal
order by all
"""


def project_digest(project: Path) -> str:
    """sha256 over the project's files (paths and contents), dbt's output excluded."""
    digest = hashlib.sha256()
    files = sorted(
        p
        for p in project.rglob("*")
        if p.is_file() and p.relative_to(project).parts[0] not in _NOT_SOURCES
    )
    for path in files:
        digest.update(path.relative_to(project).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def warehouse_schema(build_db: Path) -> list[list[object]]:
    """The build warehouse's relations and columns as dbt-duckdb's catalog reads them."""
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        return [list(row) for row in con.execute(_SCHEMA_SQL).fetchall()]
    finally:
        con.close()


def docs_fingerprint(project: Path, dbt_vars: dict, profile: str, build_db: Path) -> str:
    """What the docs of a DuckDB build depend on, as one sha256."""
    inputs = {
        "dbt": [metadata.version("dbt-core"), metadata.version("dbt-duckdb")],
        "project": project_digest(project),
        "vars": dbt_vars,
        "profile": profile,
        "schema": warehouse_schema(build_db),
    }
    return json_digest(inputs)


def reusable_site(target: Path, fingerprint: str | None) -> Path | None:
    """The site dbt wrote in `target` when it was generated from the same fingerprint."""
    site = target / SITE_FILE
    stored = target / FINGERPRINT_FILE
    if fingerprint is None or not site.is_file() or not stored.is_file():
        return None
    return site if stored.read_text(encoding="utf-8").strip() == fingerprint else None


def record_fingerprint(target: Path, fingerprint: str | None) -> None:
    """Remember what the site just generated in `target` was generated from (None: forget)."""
    stored = target / FINGERPRINT_FILE
    if fingerprint is None:
        stored.unlink(missing_ok=True)
    else:
        stored.write_text(fingerprint + "\n", encoding="utf-8")
