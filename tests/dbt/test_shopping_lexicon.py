"""`mentions_lexicon` (macros/text_match.sql) with the configured `shopping_lexicon`:
phrases and stems, negation, case and apostrophes, on wording written for this test (not
the demo generator's)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "dbt_project"

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

# Held out: written for this test from how B2B buyers, procurement and CS teams write, after
# the lexicon and in neither generator's vocabulary (checked below). The lexicon is judged on
# its hit rate here, not on each sentence: a lexicon cannot know every way of saying it.
HELD_OUT_SHOPPING = [
    "Our sourcing team issued an RFQ covering help desk software for FY27.",
    "Please confirm the notice period in our MSA; legal is reviewing termination terms.",
    "We're running a 60-day pilot with another vendor in the EMEA region.",
    "Procurement wants three competitive quotes before anything is signed.",
    "Can you price match? We received a lower quote elsewhere.",
    "How do we get a bulk export of all our data in CSV before offboarding?",
    "The CFO has mandated vendor consolidation across the group.",
    "We have budget reductions next quarter and are reviewing every SaaS contract.",
    "Please send us your offboarding checklist.",
    "We will not be renewing when the current term ends in March.",
    "Kindly treat this email as formal notice of non-renewal.",
    "Our parent company is standardising on a single vendor for ticketing.",
    "We're doing a bake-off between you and two other platforms.",
    "Our team completed a proof of concept on a rival product.",
    "Could you send an RFI response pack? We are shortlisting suppliers.",
    "We would like to turn off auto-renewal for our subscription.",
    "Your competitors offer SSO at no extra cost.",
    "Is there an exit clause if we move to month-to-month?",
    "Management asked us to benchmark pricing against the market.",
    "We need a data portability statement for our migration plan.",
    "Leadership is exploring alternatives after the last outage.",
    "We're consolidating tools onto our CRM vendor's suite.",
    "The budget freeze means we may need a cheaper option.",
    "Who handles contract termination on your side?",
    "We are comparing your offer with two other providers.",
    "Our IT director was approached by a reseller with a bundle deal.",
    "We want to renegotiate before the renewal, the seat price is hard to justify.",
    "A different supplier has quoted us 30% less.",
    "We plan to bring support tooling in-house next year.",
    "Our contract is up in June and we're assessing vendors.",
]
HELD_OUT_NOT_SHOPPING = [
    "The CSV export times out for reports over 50k rows.",
    "Please add our new admin to the account.",
    "SSO login loops back to the sign-in page in Safari.",
    "Could you walk us through the new reporting features on a call?",
    "We renewed last month, please send the updated invoice.",
    "No intention of switching, we just need the API limits raised.",
    "The mobile app crashes when attaching photos.",
    "Great support from Dana, thanks for the quick fix!",
    "Our pilot of your new analytics module went really well.",
    "Can we schedule the quarterly business review for next week?",
]
HIT_RATE_MIN = 0.8  # of held-out shopping text found
FALSE_RATE_MAX = 0.1  # of held-out ordinary text taken for shopping

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
    texts = SHOPPING + NOT_SHOPPING + HELD_OUT_SHOPPING + HELD_OUT_NOT_SHOPPING
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


def test_held_out_text_is_in_neither_generators_vocabulary():
    vocab = "".join(
        (ROOT / "src" / "rapport" / "generate" / f).read_text("utf-8").lower()
        for f in ("vocab.py", "vocab_alt.py")
    )
    for text in HELD_OUT_SHOPPING + HELD_OUT_NOT_SHOPPING:
        assert text.lower().rstrip(".!?") not in vocab


def test_hit_rate_on_held_out_phrasings(matches, capsys):
    found = [t for t in HELD_OUT_SHOPPING if matches[t]]
    false = [t for t in HELD_OUT_NOT_SHOPPING if matches[t]]
    hit_rate = len(found) / len(HELD_OUT_SHOPPING)
    false_rate = len(false) / len(HELD_OUT_NOT_SHOPPING)
    missed = [t for t in HELD_OUT_SHOPPING if not matches[t]]
    with capsys.disabled():
        print(
            f"\nshopping lexicon on held-out text: hit rate {hit_rate:.2f} "
            f"({len(found)}/{len(HELD_OUT_SHOPPING)}), false rate {false_rate:.2f}; missed: {missed}"
        )
    assert hit_rate >= HIT_RATE_MIN, missed
    assert false_rate <= FALSE_RATE_MAX, false
