"""`mentions_lexicon` (macros/text_match.sql) with the configured `shopping_lexicon`:
phrases and stems, negation, case and apostrophes, on wording written for this test (not
the demo generator's)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"

SHOPPING = [
    "Our procurement team has opened a tender for next year's service desk tooling.",
    "Finance says your prices increased twice; we may move to another provider.",
    "Could you share a better deal? Otherwise we'd have to look at other options.",
    "We intend to CANCEL the whole annual subscription at term.",
    "Heads-up: the board asked us to evaluate a few alternatives before renewal.",
    "We’re migrating away from the platform in Q3.",
    "Honestly this is too expensive for what we use.",
    "We won’t renew unless the outage issue is fixed.",
    "Budget cuts mean we must reduce seats and shop around.",
    "We are not looking at other vendors, but we will switch to a cheaper plan elsewhere.",
]
NOT_SHOPPING = [
    "We are not looking at other vendors at all, very happy.",
    "No plans to switch to anyone else.",
    "The export fails when the report has more than 10k rows.",
    "Please cancel my 3pm meeting with support.",
    "Thanks, the new dashboard is great.",
    "Never considered a competitor, you are the best.",
    "Pricing page typo: 'anual' should be 'annual'.",
    "",
    None,
]

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
def matches(tmp_path_factory) -> dict[str | None, bool]:
    tmp = tmp_path_factory.mktemp("lexicon")
    (tmp / "profiles.yml").write_text(
        "rapport:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n"
        f'      path: "{tmp / "x.duckdb"}"\n      threads: 1\n'
    )
    texts = SHOPPING + NOT_SHOPPING
    values = ", ".join("(null)" if t is None else "('" + t.replace("'", "''") + "')" for t in texts)
    sql = (
        f"with texts(t) as (values {values}) select t, "
        "{% set lx = var('shopping_lexicon') %}"
        "{{ mentions_lexicon('t', lx['phrases'], lx['negations'], lx['negation_window']) }} as hit "
        "from texts"
    )
    subprocess.run(
        [sys.executable, "-c", _COMPILE, str(tmp), sql, str(PROJECT), str(tmp)], check=True
    )
    return dict(duckdb.sql((tmp / "compiled.sql").read_text()).fetchall())


@pytest.mark.parametrize("text", SHOPPING)
def test_shopping_phrasings_are_found(matches, text):
    assert matches[text] is True


@pytest.mark.parametrize("text", NOT_SHOPPING)
def test_negated_or_unrelated_text_is_not_shopping(matches, text):
    assert matches[text] is False
