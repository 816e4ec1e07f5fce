"""Reading the result files back: the one-line summary and the table in performance.md."""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import GIB
from bench.measured import ENGINE_VARIANTS
from bench.nights import completed

TABLE_START = "<!-- bench:table:start -->"
TABLE_END = "<!-- bench:table:end -->"


def summary_line(result: dict) -> str:
    parts = [f"{label(result)}:"]
    for kind, run in result["runs"].items():
        if not completed(run):
            parts.append(f"{kind} did not complete ({run['failure']})")
            continue
        if run.get("floor") is None:
            parts.append(
                f"{kind} {run['rapport']['wall_s']:.1f} s ({run['rapport']['cpu_s']:.1f} s CPU, "
                f"peak {run['rapport']['peak_rss_bytes'] / GIB:.2f} GiB)"
            )
            continue
        parts.append(
            f"{kind} {run['rapport']['wall_s']:.1f} s (floor {run['floor']['wall_s']:.1f} s, "
            f"x{run['ratio_to_floor']['wall']:.1f}, peak "
            f"{run['rapport']['peak_rss_bytes'] / GIB:.2f} GiB)"
        )
    missed = [k for k, v in result.get("targets", {}).items() if not v["met"]]
    if result.get("targets"):
        parts.append("targets: " + ("all met" if not missed else "missed " + ", ".join(missed)))
    return " ".join(parts)


def latest_results(out_dir: Path) -> list[dict]:
    """The newest result file of each scale, smallest scale first."""
    newest: dict[str, tuple[str, dict]] = {}
    for path in sorted(out_dir.glob("*.json")):
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if not isinstance(result, dict) or result.get("schema") != 1:
            continue
        key = (result.get("finished_at") or "", path.name)
        which = (result["scale"], result.get("variant") or "")
        known = newest.get(which)
        if known is None or key > known[0]:
            newest[which] = (key, result)
    return sorted(
        (r for _, r in newest.values()), key=lambda r: (r["accounts"], r.get("variant") or "")
    )


def file_name(result: dict) -> str:
    suffix = f"-{result['variant']}" if result.get("variant") else ""
    return f"{result['date']}-{result['scale']}{suffix}.json"


def label(result: dict) -> str:
    variant = result.get("variant")
    if variant in ENGINE_VARIANTS:
        return f"{result['scale']} (on {variant})"
    return f"{result['scale']} ({variant}, diagnostic)" if variant else result["scale"]


def _s(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _gib(value: float) -> str:
    return f"{value / GIB:.2f}"


def render_table(results: list[dict]) -> str:
    """Markdown: one row per scale and night, then the stages and the rows per object.
    Diagnostic variants (``--variant``) are left out: their files say what they measured."""
    ranges = [r for r in results if r.get("scenario") and not r.get("variant")]
    results = [r for r in results if not r.get("variant") and not r.get("scenario")]
    lines = [
        *_nights_table(results),
        *_floor_table(results),
        *_targets_table(results),
        *_rows_table(results),
    ]
    if results:
        m, v = results[-1]["machine"], results[-1]["versions"]
        lines += [
            "",
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; "
            f"Python {m['python']}. Versions: "
            + ", ".join(f"{k} {val}" for k, val in v.items() if k != "rapport")
            + ". Results: "
            + ", ".join(f"`bench/results/{file_name(r)}`" for r in results)
            + ".",
        ]
    if ranges:
        lines += ["", *range_table(ranges)]
    return "\n".join(lines)


def _nights_table(results: list[dict]) -> list[str]:
    lines = [
        "| scale | commit | night | reps | wall s | CPU s | peak GiB | floor wall s "
        "| floor peak GiB | ratio to floor | ingest s (GX) | dbt s | checks s | publish s "
        "| outside steps s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, run in r["runs"].items():
            if not completed(run):
                ra = run["rapport"]
                lines.append(
                    f"| {label(r)}, {r['accounts']:,} accounts | {r['versions']['rapport']} "
                    f"| {kind} | - "
                    f"| did not complete: {run['failure']} (after {_s(ra['wall_s'])} s, peak "
                    f"{_gib(ra['peak_rss_bytes'])} GiB) |" + " |" * 10
                )
                continue
            ra, fl, st = run["rapport"], run["floor"], run["rapport"]["stages"]
            outside = (
                st["before_run_s"] + st["run_setup_s"] + st["between_steps_s"] + st["after_run_s"]
            )
            lines.append(
                f"| {label(r)}, {r['accounts']:,} accounts | {r['versions']['rapport']} "
                f"| {kind} | {r['repeats']} "
                f"| {_s(ra['wall_s'])} | {_s(ra['cpu_s'])} | {_gib(ra['peak_rss_bytes'])} "
                f"| {_s(fl['wall_s'])} | {_gib(fl['peak_rss_bytes'])} "
                f"| {run['ratio_to_floor']['wall']:.2f}x "
                f"| {_s(st['ingest_s'])} ({_s(st['ingest_gx_s'])}) | {_s(st['dbt_s'])} "
                f"| {_s(st['checks_s'])} | {_s(st['publish_s'])} | {_s(outside)} |"
            )
    return lines


def _floor_table(results: list[dict]) -> list[str]:
    lines = [
        "",
        "Floor stages (DuckDB alone, median seconds):",
        "",
        "| scale | night | ingest | SQL (models + seed) | SQL (data tests) | publish | total |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, run in r["runs"].items():
            if not completed(run):
                continue
            fs = run["floor"]["stages"]
            lines.append(
                f"| {label(r)} | {kind} | {_s(fs['ingest_s'])} | {_s(fs['sql_models_s'])} "
                f"| {_s(fs['sql_tests_s'])} | {_s(fs['publish_s'])} | {_s(fs['total_s'])} |"
            )
    return lines


def _targets_table(results: list[dict]) -> list[str]:
    lines: list[str] = []
    checked = [(r, name, t) for r in results for name, t in r.get("targets", {}).items()]
    if checked:
        lines += [
            "",
            "Targets on this machine:",
            "",
            "| scale | target | measured | limit | met |",
            "|---|---|---|---|---|",
        ]
        for r, name, t in checked:
            lines.append(
                f"| {label(r)} | {name} | {t['value']} | {t['limit']} "
                f"| {'yes' if t['met'] else '**no**'} |"
            )
    return lines


def _rows_table(results: list[dict]) -> list[str]:
    lines: list[str] = []
    objects = sorted({o for r in results for rows in r["rows"].values() for o in rows})
    if objects:
        header = [
            f"{r['scale']} {kind}" for r in results if not r.get("variant") for kind in r["rows"]
        ]
        lines += [
            "",
            "Rows delivered per object on the night:",
            "",
            "| object | " + " | ".join(header) + " |",
            "|---" * (len(header) + 1) + "|",
        ]
        for o in objects:
            cells = [
                f"{r['rows'][kind].get(o, 0):,}"
                for r in results
                if not r.get("variant")
                for kind in r["rows"]
            ]
            lines.append(f"| {o} | " + " | ".join(cells) + " |")
    return lines


def range_table(results: list[dict]) -> list[str]:
    """Markdown lines: one row per range scenario (many nights in one run)."""
    lines = [
        "Ranges (many nights in one `rapport run`, median of the repetitions):",
        "",
        "| scenario | accounts | nights | commit | reps | wall s | CPU s | peak GiB "
        "| floor wall s | floor CPU s | ratio to floor | target | ingest s (GX) | dbt s "
        "| outside steps s | load avg before |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        sc, run = r["scenario"], r["runs"]["range"]
        head = (
            f"| {sc['name']} | {r['accounts']:,} | {sc['nights']} ({sc['first']} .. "
            f"{sc['last']}, {sc['loaded_before']} loaded before) | {r['versions']['rapport']} "
        )
        if not completed(run):
            lines.append(head + f"| - | did not complete: {run['failure']} |" + " |" * 10)
            continue
        ra, fl, st = run["rapport"], run["floor"], run["rapport"]["stages"]
        outside = st["before_run_s"] + st["run_setup_s"] + st["between_steps_s"]
        outside += st["after_run_s"]
        t = r.get("targets", {}).get("range_ratio_to_floor")
        goal = f"< {t['limit']}x: {'yes' if t['met'] else '**no**'}" if t else ""
        lines.append(
            head + f"| {r['repeats']} | {_s(ra['wall_s'])} | {_s(ra['cpu_s'])} "
            f"| {_gib(ra['peak_rss_bytes'])} | {_s(fl['wall_s'])} | {_s(fl['cpu_s'])} "
            f"| {run['ratio_to_floor']['wall']:.2f}x | {goal} "
            f"| {_s(st['ingest_s'])} ({_s(st['ingest_gx_s'])}) | {_s(st['dbt_s'])} "
            f"| {_s(outside)} | {r['load_average']['before'][0]:.1f} |"
        )
    return lines


def update_docs(docs: Path, out_dir: Path) -> None:
    """Replace the table between the markers in ``docs`` with the latest results."""
    text = docs.read_text(encoding="utf-8") if docs.is_file() else ""
    table = render_table(latest_results(out_dir))
    block = f"{TABLE_START}\n{table}\n{TABLE_END}"
    if TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        tail = rest.split(TABLE_END, 1)[1]
        text = head + block + tail
    else:
        text = (text.rstrip() + "\n\n" if text else "") + block + "\n"
    docs.write_text(text, encoding="utf-8")
