"""The harness's outputs: the results JSON and the marked section of `docs/scoring.md`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rapport.generate.variant import DEFAULT

DEFAULT_MIX = DEFAULT.describe()["mix"]
BEGIN, END = "<!-- validity:begin -->", "<!-- validity:end -->"
ROWS = (
    ("default", "default weights"),
    ("tuned", "tuned weights"),
    ("bound", "in-sample bound"),
    ("bound_cv", "cross-validated bound"),
)
VERDICTS = {
    "recall_doubled": "tuned recall ≥ 2× default",
    "precision_kept": "no loss of precision",
    "operating_point": "precision ≥ 0.70 at recall ≥ 0.60, lift ≥ 2.8",
}


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(result: dict) -> list[str]:
    """The rows of one variant as Markdown table lines."""
    lines = [
        "| weights | precision | recall | lift | watchlist | found / truly leaving |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    rows = result.get("rows", {})
    for key, label in ROWS:
        row = rows.get(key)
        if row is None:
            lines.append(f"| {label} | not measured | | | | |")
        elif "error" in row:
            lines.append(f"| {label} | not measured: {row['error']} | | | | |")
        else:
            lines.append(
                f"| {label} | {_fmt(row['precision'])} | {_fmt(row['recall'])} | "
                f"{_fmt(row['lift'], 1)} | {row['flagged']} | {row['hits']} / {row['positives']} |"
            )
    return lines


def bound_line(bound: dict | None, targets: dict) -> str:
    """Whether the in-sample bound itself reaches the operating point: if not, no weights of
    these signals can, and the signals need more strength."""
    if not bound or bound.get("precision") is None:
        return "Bound: not measured."
    reaches = (
        bound["precision"] >= targets["precision"]
        and (bound["recall"] or 0.0) >= targets["recall"]
        and (bound["lift"] or 0.0) >= targets["lift"]
    )
    if reaches:
        return "Bound: reaches the operating point (the signals carry enough)."
    return (
        f"Bound: **below the operating point** (precision {bound['precision']:.2f} at recall "
        f"{bound['recall']:.2f}, lift {bound['lift']:.1f}): no weighting of these signals "
        "reaches it; they need more strength."
    )


def markdown(summary: dict) -> str:
    """The section body: one table per variant, its verdict, and where it came from."""
    scale = summary["scale"]
    out = [
        f"Latest run: {summary['generated_at']} (code {summary['code_version']}), "
        f"{scale['accounts']} accounts, {scale['days']} nights from {scale['start']}, "
        f"seed {scale['seed']} (`{summary.get('command', 'make validity')}`); the full "
        f"figures are in `{summary['results_file']}`.",
        "",
    ]
    for name, result in summary["variants"].items():
        v = result["variant"]
        mix = (
            ", ".join(f"{k} {f:g}" for k, f in v["mix"].items() if f != DEFAULT_MIX[k]) or "default"
        )
        out += [
            f"**{name}** (wording `{v['wording']}`, encoding `{v['encoding']}`, "
            f"false alarms {v['false_alarms']:g}, base noise ×{v['base_noise']:g}; mix: {mix}). "
            f"Cut night {result['cut_night']}.",
            "",
        ]
        if "error" in result:
            out += [f"Not judged: {result['error']}", ""]
            continue
        out += table(result)
        fit = result.get("bound_fit", {})
        out += [
            "",
            f"Bound features: {fit.get('kind', '–')}; "
            f"{result.get('satisfied_positives', '–')} of the truly leaving accounts are "
            "satisfied on the night (the most any watchlist of satisfied accounts can find).",
        ]
        coefficients = fit.get("coefficients", {})
        strongest = sorted(coefficients.items(), key=lambda kv: -abs(kv[1]))[:5]
        if strongest:
            out.append(
                "The bound's strongest features (log-odds per standard deviation): "
                + ", ".join(f"`{k}` {v:+.2f}" for k, v in strongest)
                + "."
            )
        out.append(bound_line(result.get("rows", {}).get("bound"), summary["targets"]))
        verdict = result.get("verdict", {})
        marks = {True: "met", False: "**missed**", None: "not measured"}
        out.append(
            "Targets: " + "; ".join(f"{VERDICTS[k]}: {marks[verdict.get(k)]}" for k in VERDICTS)
        )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_docs(path: Path, body: str) -> None:
    """Replace the text between the validity markers of `path` (appended when absent)."""
    text = path.read_text("utf-8")
    block = f"{BEGIN}\n{body}{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, "utf-8")


def write_json(path: Path, summary: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", "utf-8")
