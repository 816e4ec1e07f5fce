"""Each published mart as files, per night, for tools that cannot open DuckDB.

`<data>/exports/<night>/<schema>.<table>.parquet` (and `.csv` when `[exports] csv = true`),
where `<data>` is the serving warehouse's folder. A night's folder is written beside the
others under a temporary name and renamed into place, so a reader never sees half a night;
exporting a night again replaces it. CSV text cells that a spreadsheet would run as a
formula get the same quote prefix as the watchlist CSV (`rapport.safe_output.csv_cell`).

With a lake on an object store each exported night is also copied to
`<lake URL>/exports/<night>/` (`copy_night_to_store`): the files, then `_SUCCESS` last.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import duckdb
import fsspec

from rapport.safe_output import FORMULA_START


@dataclass(frozen=True)
class Export:
    folder: Path
    files: tuple[Path, ...]


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _csv_safe_select(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """A select of the table whose text columns carry csv_cell's formula prefix."""
    starts = ", ".join(_sql_text(c) for c in FORMULA_START)
    columns = []
    for name, kind in con.execute(
        "select column_name, data_type from duckdb_columns() where schema_name = ? "
        "and table_name = ? and database_name = current_database() order by column_index",
        [schema, table],
    ).fetchall():
        quoted = '"' + name.replace('"', '""') + '"'
        if kind == "VARCHAR":
            columns.append(
                f"case when left({quoted}, 1) in ({starts}) then '''' || {quoted} "
                f"else {quoted} end as {quoted}"
            )
        else:
            columns.append(quoted)
    return f"select {', '.join(columns)} from {schema}.{table}"


def export_night(
    serving: Path,
    exports_dir: Path,
    night: str,
    tables: tuple[tuple[str, str], ...],
    csv: bool = False,
    keep_nights: int = 0,
    parquet: bool = True,
) -> Export:
    """Write every table of the serving file as Parquet (and CSV) under `<exports_dir>/<night>`;
    keep the latest `keep_nights` night folders (0: all)."""
    exports_dir.mkdir(parents=True, exist_ok=True)
    final = exports_dir / night
    tmp = exports_dir / f".{night}.writing"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    files: list[Path] = []
    con = duckdb.connect(str(serving), read_only=True)
    try:
        for schema, table in tables:
            name = f"{schema}.{table}"
            if parquet:
                con.execute(
                    f"copy {schema}.{table} to {_sql_text(str(tmp / f'{name}.parquet'))} "
                    "(format parquet, compression zstd)"
                )
                files.append(final / f"{name}.parquet")
            if csv:
                con.execute(
                    f"copy ({_csv_safe_select(con, schema, table)}) to "
                    f"{_sql_text(str(tmp / f'{name}.csv'))} (format csv, header true)"
                )
                files.append(final / f"{name}.csv")
    finally:
        con.close()
    old = exports_dir / f".{night}.replaced"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    if keep_nights > 0:
        nights = sorted(p for p in exports_dir.iterdir() if p.is_dir() and p.name[0].isdigit())
        for stale in nights[:-keep_nights]:
            shutil.rmtree(stale, ignore_errors=True)
    return Export(final, tuple(files))


MARKER = "_SUCCESS"


def copy_night_to_store(
    export: Export, url: str, fs: fsspec.AbstractFileSystem, keep_nights: int = 0
) -> str:
    """Copy an exported night to `<url>/<night>/` on an object store and return that URL.

    An object store has no folder rename: the night's `_SUCCESS` is removed first, the files
    are put (each object whole), files of an earlier export of the night that are no longer
    written are removed, and `_SUCCESS` is written last: a reader that takes a night only
    with its marker never reads half of one. Keeps the latest `keep_nights` nights (0: all).
    """
    night = export.folder.name
    target = f"{url}/{night}"
    marker = f"{target}/{MARKER}"
    if fs.exists(marker):
        fs.rm(marker)
    for file in export.files:
        fs.put_file(str(file), f"{target}/{file.name}")
    written = {file.name for file in export.files} | {MARKER}
    for old in fs.ls(target, detail=False):
        if PurePosixPath(old).name not in written:
            fs.rm(old)
    fs.pipe_file(marker, b"")
    if keep_nights > 0:
        nights = sorted(p for p in fs.ls(url, detail=False) if PurePosixPath(p).name[:1].isdigit())
        for stale in nights[:-keep_nights]:
            fs.rm(stale, recursive=True)
    return target
