"""The tune report as Markdown: what was fitted on what, and before vs after."""

from __future__ import annotations

from typing import Any

METRICS = (
    ("precision", "precision"),
    ("recall", "recall"),
    ("lift", "lift"),
    ("auc", "AUC"),
    ("median_days_warning", "median days of warning"),
    ("flagged", "flagged (account-nights)"),
    ("flagged_defected", "of which defected"),
)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _regularisation(d: dict[str, Any]) -> list[str]:
    """The C each fit used, and how it was chosen (absent in reports before validity4)."""
    c, why = d.get("regularisation_c"), d.get("regularisation_c_reason")
    if not c or not why:
        return []
    return [
        f"Regularisation C: {c['split']:g} for the split's fit ({why['split']}); "
        f"{c['refit']:g} for the refit ({why['refit']})."
    ]


def render_markdown(p: dict[str, Any]) -> str:
    d = p["data"]
    before, after = p["comparison"]["before"], p["comparison"]["after"]
    lines = [
        "# Rapport tune: proposed scorecard",
        "",
        f"Fitted {p['created_at']} by code `{p['code_version']}` on `{p['warehouse']}`.",
        f"Data: nights {d['first_night']} .. {d['last_night']}; outcome = defected within "
        f"{d['horizon_days']} days after the night: "
        f"{d.get('horizon_reason', 'the preferred horizon')}.",
        f"Fit nights {d['fit_nights'][0]} .. {d['fit_nights'][1]} (outcomes read up to "
        f"{d['fit_outcomes_known_by']}): {d['fit_rows']} account-nights, {d['fit_accounts']} "
        f"accounts, {d['fit_defected_accounts']} of them defected. Examples: {d['examples']}.",
        f"Held back: nights {d['report_nights'][0]} .. {d['report_nights'][1]}: "
        f"{d['report_rows']} account-nights, {d['report_accounts']} accounts, "
        f"{d.get('report_defected_accounts', '?')} of them defected.",
        *_regularisation(d),
        "",
        "## Before vs after, on the held-back nights",
        "",
        "The watchlist = satisfied accounts with a score at or above the high threshold; "
        "precision, recall and lift among the satisfied, AUC of the score over all accounts.",
        "",
        f"| | before (`{before['weights_version']}`) | after (fitted on the fit nights) |",
        "| --- | --- | --- |",
        f"| thresholds high / medium | {before['high']} / {before['medium']} | "
        f"{after['high']} / {after['medium']} |",
    ]
    for key, name in METRICS:
        lines.append(
            f"| {name} | {_fmt(before['held_back'][key])} | {_fmt(after['held_back'][key])} |"
        )
    if d.get("refit"):
        applied = p["comparison"]["applied"]
        lines += [
            "",
            "## What is applied: the same recipe refitted on every complete night",
            "",
            f"The split above judges the recipe (features, regularisation, threshold rules). "
            f"What `--apply` installs is that recipe refitted on every night whose horizon is "
            f"complete, {d['refit_nights'][0]} .. {d['refit_nights'][1]}: {d['refit_rows']} "
            f"account-nights, {d['refit_defected_accounts']} defected accounts "
            f"(docs/decisions.md, 'Refit for deployment'); outcome = defected within "
            f"{d.get('refit_horizon_days', d['horizon_days'])} days: "
            f"{d.get('refit_horizon_reason') or 'the split horizon'}. Thresholds high / medium "
            f"{applied['high']} / {applied['medium']}. Its figures on the held-back nights "
            f"are in-sample (it saw them), not evidence: precision "
            f"{_fmt(applied['held_back']['precision'])}, recall "
            f"{_fmt(applied['held_back']['recall'])}, AUC {_fmt(applied['held_back']['auc'])}.",
        ]
    lines += [
        "",
        "## Weights",
        "",
        "Points at full strength (a signal adds weight x strength); `fit nights` = the "
        "scorecard judged above, `applied` = what `--apply` installs; its 90 % interval from "
        "bootstrap samples of accounts; support = accounts showing the signal on a night the "
        "applied fit used, and how many of them defected.",
        "",
        "| signal | before | fit nights | applied | 90 % interval | accounts showing "
        "| of which defected |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in sorted(p["signals"], key=lambda s: -s["points_after"]):
        lo, hi = s["interval_90"]
        lines.append(
            f"| `{s['signal']}` | {s['points_before']} | {s.get('points_split', '–')} | "
            f"{s['points_after']} | {lo} .. {hi} | "
            f"{s['accounts_showing']} | {s['accounts_showing_defected']} |"
        )
    lines += [
        "",
        "Apply it with `rapport tune --warehouse W --apply`; the next `rapport run` scores with "
        "it, and `rapport tune --revert` goes back.",
        "",
    ]
    return "\n".join(lines)
