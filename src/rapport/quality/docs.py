"""Data Docs: GX renders one page per validation and per suite; Rapport writes the index.

GX's own index is rebuilt from its validation results store, and building it deletes the
pages of every result that store does not hold. An ephemeral context holds only the night
at hand, so GX's index would erase the earlier nights; a filesystem store keeps them, but
then every build reloads every stored result (measured: 2.5 s a night for 13 objects,
6.6 s after 33 nights, growing linearly). So GX builds the night's pages only
(``build_index=False``), and ``index.html`` is written here from one small summary file per
source and night (``<quality_dir>/nights/<source>/dt=<D>.json``).

A suite's page changes only with the suite (the contract) or GX: it is rendered again only
then, or when it is missing (a fingerprint per suite in ``<quality_dir>/suites/``). Rendering
the suites of every source on every run was 11 of the pages a night renders.
"""

from __future__ import annotations

import fcntl
import html
import json
import os
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from rapport.contract import SourceObject, objects_of
from rapport.digest import json_digest
from rapport.quality.result import ObjectValidation
from rapport.quality.suites import build_suite
from rapport.safe_output import html_text

SITE = "rapport"


def docs_dir(quality_dir: Path) -> Path:
    return quality_dir / "data_docs"


def night_summary_path(quality_dir: Path, source: str, night: date) -> Path:
    return quality_dir / "nights" / source / f"dt={night.isoformat()}.json"


def result_key(obj: SourceObject, night: date) -> ValidationResultIdentifier:
    """One key per object and night (a replayed night overwrites its page)."""
    run_id = RunIdentifier(
        run_name=f"dt={night.isoformat()}", run_time=datetime.combine(night, time(), UTC)
    )
    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=obj.qualified),
        run_id=run_id,
        batch_identifier=f"{obj.source}-{obj.name}",
    )


def page(key: ValidationResultIdentifier) -> str:
    """The page's path in the site, relative to ``index.html``, as GX lays it out."""
    return urllib.parse.quote("/".join(["validations", *key.to_tuple()]) + ".html")


def suite_page(source: str, obj: str) -> str:
    return f"expectations/{source}/{obj}.html"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def escaped_for_html(result: Any) -> Any:
    """The validation result with every value it quotes from the data escaped for HTML
    (GX renders unexpected values into its pages without escaping: a delivered
    ``<script>`` would run in the reader's browser)."""
    for outcome in result.results:
        if outcome.result:
            outcome.result = _escaped(outcome.result)
    return result


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html_text(value)
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def build_pages(
    context: AbstractDataContext,
    quality_dir: Path,
    keys: list[ValidationResultIdentifier],
    objects: tuple[SourceObject, ...],
) -> None:
    """Render the pages of the night's validations (in the context's store) and those of the
    suites of ``objects`` (all in the context) that changed since their page was rendered."""
    if SITE not in context.get_site_names():
        context.add_data_docs_site(
            site_name=SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir(quality_dir)),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    stale = [
        (obj, f) for obj in objects if (f := suite_fingerprint(obj)) != _rendered(quality_dir, obj)
    ]
    suites = [ExpectationSuiteIdentifier(name=obj.qualified) for obj, _ in stale]
    if not keys + suites:  # (an empty list would make GX build every page it can)
        return
    context.build_data_docs(
        site_names=[SITE], resource_identifiers=keys + suites, build_index=False
    )
    for obj, fingerprint in stale:
        write_atomic(_fingerprint_path(quality_dir, obj), fingerprint)


def suite_fingerprint(obj: SourceObject) -> str:
    """What a suite's page is rendered from: the suite and the GX version."""
    suite = {"gx": gx.__version__, "suite": build_suite(obj).to_json_dict()}
    return json_digest(suite)


def _fingerprint_path(quality_dir: Path, obj: SourceObject) -> Path:
    return quality_dir / "suites" / f"{obj.qualified}.sha256"


def _rendered(quality_dir: Path, obj: SourceObject) -> str | None:
    """The fingerprint of the suite whose page is in the site; None without a page."""
    record = _fingerprint_path(quality_dir, obj)
    if not (docs_dir(quality_dir) / suite_page(obj.source, obj.name)).is_file():
        return None
    return record.read_text(encoding="utf-8") if record.is_file() else None


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Serialize index writers (sources may be validated in parallel)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".index.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def write_night(
    quality_dir: Path,
    source: str,
    night: date,
    outcomes: list[ObjectValidation],
    pages: dict[str, str],
) -> None:
    """Record the night's outcomes for the index and rewrite ``index.html``.

    ``pages`` maps a GX batch identifier (``<source>-<object>``) to its validation page.
    """
    write_nights(quality_dir, source, {night: (outcomes, pages)})


def write_nights(
    quality_dir: Path,
    source: str,
    nights: dict[date, tuple[list[ObjectValidation], dict[str, str]]],
) -> None:
    """`write_night` for several nights, the index rewritten once."""
    for night, (outcomes, pages) in nights.items():
        rows = [{**o.to_json(), "page": pages.get(f"{source}-{o.object}")} for o in outcomes]
        write_atomic(night_summary_path(quality_dir, source, night), json.dumps(rows, indent=1))
    with _locked(docs_dir(quality_dir)):
        write_atomic(docs_dir(quality_dir) / "index.html", _index(quality_dir))


def _cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return "<td></td>"
    blocking, warnings = row["blocking_failures"], row["warnings"]
    found = ([f"✗ {len(blocking)} blocking"] if blocking else []) + (
        [f"⚠ {len(warnings)} warning{'s' if len(warnings) > 1 else ''}"] if warnings else []
    )
    css = "block" if blocking else "warn" if warnings else "ok"
    label = ", ".join(found) or "✓"
    text = f"{label}<br><small>{row['rows']:,} rows</small>"
    if row.get("page"):
        text = f'<a href="{html.escape(row["page"])}">{text}</a>'
    tip = html.escape("\n".join(blocking + warnings), quote=True)
    return f'<td class="{css}" title="{tip}">{text}</td>'


def _index(quality_dir: Path) -> str:
    sections = []
    for folder in sorted((quality_dir / "nights").glob("*")):
        source = folder.name
        names = [o.name for o in objects_of(source)]
        nights = sorted(folder.glob("dt=*.json"), reverse=True)
        head = "".join(
            f'<th><a href="{suite_page(source, n)}">{html.escape(n)}</a></th>' for n in names
        )
        body = []
        for path in nights:
            by_object = {r["object"]: r for r in json.loads(path.read_text())}
            cells = "".join(_cell(by_object.get(n)) for n in names)
            body.append(f"<tr><th>{html.escape(path.stem.removeprefix('dt='))}</th>{cells}</tr>")
        sections.append(
            f"<h2>{html.escape(source)}</h2><table><tr><th>night</th>{head}</tr>"
            + "".join(body)
            + "</table>"
        )
    return _PAGE.format(
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), sections="".join(sections)
    )


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rapport raw-zone quality</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 2em; }}
th, td {{ border: 1px solid #ccc; padding: .3em .6em; text-align: center; }}
td.ok {{ background: #e6f4ea; }} td.warn {{ background: #fff4d6; }}
td.block {{ background: #fde2e1; font-weight: bold; }}
td a {{ color: inherit; text-decoration: none; }}
</style></head><body>
<h1>Raw-zone quality, by night</h1>
<p>One Great Expectations suite per source object (column headers link to it), run on each
night's raw partition; a cell links to that validation's page. ✗ blocking: the night stops
(missing or mistyped columns, null keys or stamps, values out of range, stamps in the
future). ⚠ warning: reported only (unlisted picklist values, references to records never
delivered, row-count drift). GX pages say "Failed" for
warnings too. Hover a cell for the messages. Generated {generated}.</p>
{sections}
</body></html>
"""
