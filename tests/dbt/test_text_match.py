"""`mentions_any` (macros/text_match.sql): DuckDB's single regexp_matches gives the same
answers as the portable LIKE version, case-insensitively, keywords taken literally."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from rapport.project import dbt_project_dir

PROJECT = dbt_project_dir()

TEXTS = [
    "Evaluating a COMPETITOR",
    "We got a Request For Proposal",
    "request for  proposal",  # two spaces: no match
    "price increase again",
    "Prices increase",
    "terminated",
    "Contract ends in May",
    "we will not renew",
    "SWITCHING vendors",
    "cheap",
    "all good",
    "",
    None,
    "a.b and x+y (z)",
    "axb",
    "it's done",
    "Ça va",
]
KEYWORDS = [
    "competitor",
    "alternative",
    "rfp",
    "request for proposal",
    "pricing",
    "price increase",
    "cheaper",
    "discount",
    "cancel",
    "terminat",
    "contract end",
    "not renew",
    "switch",
]
SPECIAL = ["a.b", "x+y (z)", "it's", "ça va", "[x]", "a|b"]

_COMPILE = """
import json, sys
from dbt.cli.main import dbtRunner
out, sql = sys.argv[1], sys.argv[2]
res = dbtRunner().invoke(["compile", "--inline", sql, "--project-dir", sys.argv[3],
    "--profiles-dir", sys.argv[4], "--target-path", out + "/target", "--log-path", out + "/logs",
    "--vars", json.dumps({"lake_root": out + "/lake"}), "--quiet"])
assert res.success, res.exception
open(out + "/compiled.sql", "w").write(res.result.results[0].node.compiled_code)
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> str:
    """One query with each version of the macro over TEXTS, compiled by dbt-duckdb."""
    tmp = tmp_path_factory.mktemp("text_match")
    (tmp / "profiles.yml").write_text(
        "rapport:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n"
        f'      path: "{tmp / "x.duckdb"}"\n      threads: 1\n'
    )
    values = ", ".join("(null)" if t is None else "('" + t.replace("'", "''") + "')" for t in TEXTS)
    special = json.dumps(SPECIAL)
    keywords = json.dumps(KEYWORDS)
    sql = (
        f"with texts(t) as (values {values}) select t, "
        f"{{{{ mentions_any('t', {keywords}) }}}} as dispatched, "
        f"{{{{ default__mentions_any('t', {keywords}) }}}} as portable, "
        f"{{{{ mentions_any('t', {special}) }}}} as special, "
        "{{ mentions_any('t', []) }} as no_keywords "
        "from texts"
    )
    subprocess.run(
        [sys.executable, "-c", _COMPILE, str(tmp), sql, str(PROJECT), str(tmp)], check=True
    )
    return (tmp / "compiled.sql").read_text()


def test_duckdb_uses_one_regexp_with_the_same_answers_as_like(compiled: str):
    assert compiled.count("regexp_matches(") == 2  # the configured and the special keywords
    rows = duckdb.sql(compiled).fetchall()
    assert len(rows) == len(TEXTS)
    for text, dispatched, portable, _, _ in rows:
        assert dispatched == portable, text
    matched = {t for t, d, *_ in rows if d}
    assert matched == {
        "Evaluating a COMPETITOR",
        "We got a Request For Proposal",
        "price increase again",
        "terminated",
        "Contract ends in May",
        "we will not renew",
        "SWITCHING vendors",
    }


def test_keywords_are_literal_and_an_empty_list_matches_nothing(compiled: str):
    for text, _, _, special, no_keywords in duckdb.sql(compiled).fetchall():
        assert special == any(k in (text or "").lower() for k in SPECIAL), text
        assert no_keywords is False
