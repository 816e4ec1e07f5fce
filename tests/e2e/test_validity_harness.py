"""The validity harness end to end on a tiny scale: a variant landing generated, its history
loaded, the cut night run with the default and the tuned weights, the watchlists judged
against the labels, the in-sample bound fit, and the results written (JSON and docs)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.validity.__main__ import main
from bench.validity.report import BEGIN, END

CONFIG = """
[scale]
accounts = 120
start = "2026-09-01"
days = 6
seed = 3

[judge]
bound_c = 1.0

[targets]
recall_factor = 2.0
precision = 0.70
recall = 0.60
lift = 2.8

[variants.tiny]
wording = "alt"
encoding = "contract"
false_alarms = 0.1
base_noise = 1.5
mix = { shopping = 0.5, complaints = 1.0 }
"""


def test_the_harness_judges_a_variant_end_to_end(tmp_path: Path) -> None:
    config = tmp_path / "configs.toml"
    config.write_text(CONFIG, "utf-8")
    docs = tmp_path / "scoring.md"
    docs.write_text("# Scoring\n", "utf-8")
    out = tmp_path / "results"
    code = main(
        [
            f"--config={config}",
            f"--work={tmp_path / 'work'}",
            f"--out={out}",
            f"--docs={docs}",
        ]
    )
    (results,) = out.glob("*-validity.json")
    summary = json.loads(results.read_text("utf-8"))
    result = summary["variants"]["tiny"]
    assert code == 0, result.get("error")
    assert result["cut_night"] == "2026-09-06"
    rows = result["rows"]
    default, bound = rows["default"], rows["bound"]
    # the labels give satisfied-but-leaving customers, and the night scored the customers
    assert default["positives"] > 0 and default["population"] > default["positives"]
    assert bound["positives"] == default["positives"]
    assert 0 <= default["hits"] <= default["flagged"]
    # the bound's list reaches the target recall, or finds as many as any list can
    assert bound["recall"] >= 0.6 or bound["hits"] == result["satisfied_positives"]
    # a tune on six nights has too little history: the row says so, or equals the default
    assert "tuned" in rows
    text = docs.read_text("utf-8")
    assert BEGIN in text and END in text and "in-sample bound" in text and "**tiny**" in text
    # the bound scored on accounts it did not see sits beside it, over the same accounts
    honest = rows["bound_cv"]
    assert honest["positives"] == bound["positives"] and "cross-validated bound" in text

    # --retune judges a new tune on the kept history: nothing generated or loaded again
    history = tmp_path / "work" / "tiny" / "history" / "warehouse.duckdb"
    loaded_at = history.stat().st_mtime_ns
    again = tmp_path / "again"
    code = main([f"--config={config}", f"--work={tmp_path / 'work'}", f"--out={again}", "--retune"])
    (results,) = again.glob("*-validity.json")
    retuned = json.loads(results.read_text("utf-8"))["variants"]["tiny"]
    assert code == 0, retuned.get("error")
    assert "generate" not in retuned["seconds"] and "history" not in retuned["seconds"]
    assert history.stat().st_mtime_ns == loaded_at
    assert retuned["rows"]["default"] == rows["default"]
