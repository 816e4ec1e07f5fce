"""The nightly report: one self-contained HTML page (plotly's JavaScript inlined, no server,
opens offline) with the Walker quadrant chart, the watchlist, the movers, the trend, ARR at
risk by owner, the backtest and the night's data quality.

Every value from the data is escaped before it reaches the page: table cells with
`html.escape`, chart labels too (plotly renders a subset of HTML tags in its labels).
"""

from __future__ import annotations

import html
import math
import os
import uuid
from datetime import date
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rapport.config import ReportConfig
from rapport.paths import Paths
from rapport.report_data import ReportData, Rows, read_report_data

QUADRANT_COLOURS = {
    "accessible": "#d62728",
    "truly_loyal": "#2ca02c",
    "trapped": "#ff7f0e",
    "high_risk": "#7f7f7f",
}
CHART_ID = "quadrant-chart"
STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem 2rem; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
.kpis { display: flex; gap: 2rem; flex-wrap: wrap; margin: 1rem 0; }
.kpi { background: #f5f5f5; padding: 0.6rem 1rem; border-radius: 6px; }
.kpi b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; font-size: 0.85rem; width: 100%; }
th, td { border-bottom: 1px solid #eee; padding: 0.25rem 0.5rem; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
.note { color: #666; font-size: 0.85rem; }
"""


def esc(value: object) -> str:
    """A data value as HTML text (None as empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def _money(value: object, currency: str) -> str:
    if value is None:
        return ""
    return f"{float(value):,.0f} {currency}"


def _table(rows: Rows, columns: list[tuple[str, str]], numeric: set[str], currency: str) -> str:
    """An HTML table; `columns` are (key, header); money columns are named in `numeric`."""
    if not rows:
        return '<p class="note">none</p>'
    head = "".join(
        f'<th class="{"num" if k in numeric else ""}">{esc(label)}</th>' for k, label in columns
    )
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            if key in numeric and isinstance(value, (int, float)) and "arr" in key:
                cells.append(f'<td class="num">{esc(_money(value, currency))}</td>')
            elif key in numeric:
                cells.append(f'<td class="num">{esc(value)}</td>')
            else:
                cells.append(f"<td>{esc(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def quadrant_figure(data: ReportData) -> tuple[go.Figure, int]:
    """Satisfaction (x) against loyalty risk (y), one point per scored account, sized by ARR;
    the `accessible` cell (satisfied, at risk) shaded. Returns the figure and its points."""
    fig = go.Figure()
    sat, high = data.satisfied_threshold, data.high_risk_threshold
    fig.add_shape(
        type="rect",
        x0=sat,
        x1=100,
        y0=high,
        y1=100,
        fillcolor="rgba(214,39,40,0.12)",
        line={"color": "rgba(214,39,40,0.6)", "dash": "dot"},
        layer="below",
    )
    fig.add_annotation(
        x=(sat + 100) / 2,
        y=100,
        text="accessible: satisfied, and leaving anyway",
        showarrow=False,
        yanchor="bottom",
        font={"color": "#d62728"},
    )
    fig.add_vline(x=sat, line={"color": "#999", "width": 1})
    fig.add_hline(y=high, line={"color": "#999", "width": 1})
    scored = [
        a
        for a in data.accounts
        if a["satisfaction_score"] is not None and a["loyalty_risk_score"] is not None
    ]
    biggest = max((float(a["arr"] or 0) for a in scored), default=1.0) or 1.0
    for quadrant, colour in QUADRANT_COLOURS.items():
        points = [a for a in scored if a["quadrant"] == quadrant]
        if not points:
            continue
        fig.add_trace(
            go.Scatter(
                x=[a["satisfaction_score"] for a in points],
                y=[a["loyalty_risk_score"] for a in points],
                mode="markers",
                name=quadrant,
                marker={
                    "color": colour,
                    "opacity": 0.7,
                    "size": [6 + 24 * math.sqrt(float(a["arr"] or 0) / biggest) for a in points],
                    "line": {"width": 0.5, "color": "#333"},
                },
                customdata=[
                    [
                        esc(a["account_name"]),
                        esc(a["account_id"]),
                        esc(_money(a["arr"], data.currency)),
                        esc(a["reasons"] or "no signal fired"),
                        esc(
                            f"pinned {a['quadrant_override']}: {a['override_reason']}"
                            if a["quadrant_override"]
                            else ""
                        ),
                    ]
                    for a in points
                ],
                hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>ARR %{customdata[2]}"
                "<br>satisfaction %{x}, risk %{y}<br>%{customdata[4]}<br>why: %{customdata[3]}"
                "<extra></extra>",
            )
        )
    fig.update_layout(
        height=560,
        xaxis={"title": "satisfaction (what they say)", "range": [0, 101]},
        yaxis={"title": "loyalty risk (what they and we do)", "range": [-2, 106]},
        margin={"t": 40, "l": 60, "r": 20, "b": 50},
        legend={"title": "quadrant"},
    )
    return fig, len(scored)


def trend_figure(data: ReportData) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    nights = [r["as_of_date"] for r in data.trend]
    fig.add_trace(
        go.Bar(
            x=nights,
            y=[r["watchlist_accounts"] for r in data.trend],
            name="watchlist accounts",
            marker_color="#d62728",
            opacity=0.5,
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=nights,
            y=[r["watchlist_arr"] for r in data.trend],
            name="ARR on the watchlist",
            mode="lines+markers",
        ),
        secondary_y=True,
    )
    fig.add_trace(
        go.Scatter(
            x=nights,
            y=[r["arr_at_risk"] for r in data.trend],
            name="ARR at risk (all high-risk accounts)",
            mode="lines+markers",
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="accounts", secondary_y=False)
    fig.update_yaxes(title_text=f"ARR ({esc(data.currency)})", secondary_y=True)
    fig.update_layout(height=380, margin={"t": 20, "l": 60, "r": 60, "b": 40})
    return fig


def owners_figure(data: ReportData) -> go.Figure:
    owners = data.owners
    fig = go.Figure(
        go.Bar(
            x=[esc(o["owner_name"]) for o in owners],
            y=[o["arr_at_risk"] for o in owners],
            name="ARR at risk",
            marker_color="#d62728",
        )
    )
    fig.add_trace(
        go.Bar(
            x=[esc(o["owner_name"]) for o in owners],
            y=[o["expected_arr_loss"] for o in owners],
            name="expected ARR loss",
            marker_color="#999",
        )
    )
    fig.update_layout(
        height=380,
        barmode="group",
        yaxis={"title": f"{esc(data.currency)}"},
        margin={"t": 20, "l": 60, "r": 20, "b": 80},
    )
    return fig


def backtest_figure(data: ReportData) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, subplot_titles=("precision", "lift"))
    for cohort in sorted({r["cohort"] for r in data.backtest}):
        rows = [r for r in data.backtest if r["cohort"] == cohort]
        nights = [r["as_of_date"] for r in rows]
        fig.add_trace(
            go.Scatter(
                x=nights,
                y=[r["precision"] for r in rows],
                name=esc(cohort),
                mode="lines+markers",
                legendgroup=esc(cohort),
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=nights,
                y=[r["lift"] for r in rows],
                name=esc(cohort),
                showlegend=False,
                mode="lines+markers",
                legendgroup=esc(cohort),
            ),
            row=1,
            col=2,
        )
    fig.update_layout(height=360, margin={"t": 40, "l": 50, "r": 20, "b": 40})
    return fig


def _figure_html(fig: go.Figure, div_id: str, first: bool) -> str:
    return fig.to_html(
        full_html=False,
        include_plotlyjs=first,  # the library once, inlined: the page works offline
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


def render_report(data: ReportData) -> str:
    cur = data.currency
    quadrant, scored = quadrant_figure(data)
    watchlist_arr = sum(float(r["arr"] or 0) for r in data.accounts if _on_watchlist(r))
    watchlist_n = sum(1 for r in data.accounts if _on_watchlist(r))
    book_at_risk = sum(float(r["arr"] or 0) for r in data.accounts if r["risk_tier"] == "high")
    unscored = len(data.accounts) - scored
    complete = [r for r in data.backtest if r["horizon_complete"]]
    loads_read = sum(int(r["rows_read"] or 0) for r in data.loads)
    loads_quarantined = sum(int(r["rows_quarantined"] or 0) for r in data.loads)
    kpis = [
        ("accounts scored", f"{scored:,} of {len(data.accounts):,}"),
        ("on the watchlist", f"{watchlist_n:,}"),
        ("ARR on the watchlist", _money(watchlist_arr, cur)),
        ("ARR at risk (risk tier high)", _money(book_at_risk, cur)),
        ("rows delivered tonight", f"{loads_read:,} ({loads_quarantined:,} quarantined)"),
    ]
    movers_title = (
        f"Top movers since {data.movers[0]['baseline_date']}" if data.movers else "Top movers"
    )
    sections = [
        f"<h1>Rapport: the night of {esc(data.night)}</h1>",
        f'<p class="note">Published {esc(data.published_at)} UTC. Money in {esc(cur)}. '
        "ARR at risk = the whole ARR of accounts in risk tier high; expected ARR loss = ARR x "
        "risk / 100.</p>",
        '<div class="kpis">'
        + "".join(f'<div class="kpi">{esc(k)}<b>{esc(v)}</b></div>' for k, v in kpis)
        + "</div>",
        "<h2>Satisfied, and leaving anyway: the Walker quadrants</h2>",
        f'<p class="note">One point per scored account ({scored:,}), sized by ARR; hover for '
        f"the reasons. {unscored:,} account(s) lack the evidence to be placed.</p>",
        _figure_html(quadrant, CHART_ID, first=True),
        f"<h2>The watchlist (top {len(data.watchlist)})</h2>",
        _table(
            data.watchlist,
            [
                ("watchlist_rank", "#"),
                ("account_name", "account"),
                ("account_id", "id"),
                ("owner_name", "owner"),
                ("arr", f"ARR ({cur})"),
                ("days_to_renewal", "renewal in (days)"),
                ("satisfaction_score", "satisfaction"),
                ("loyalty_risk_score", "risk"),
                ("quadrant_override", "pinned"),
                ("override_reason", "pinned because"),
                ("reasons", "why"),
            ],
            {
                "watchlist_rank",
                "arr",
                "days_to_renewal",
                "satisfaction_score",
                "loyalty_risk_score",
            },
            cur,
        ),
        f"<h2>{esc(movers_title)}</h2>",
        _table(
            data.movers,
            [
                ("movement", "movement"),
                ("account_name", "account"),
                ("owner_name", "owner"),
                ("arr", f"ARR ({cur})"),
                ("risk_score_before", "risk before"),
                ("loyalty_risk_score", "risk now"),
                ("risk_change", "change"),
                ("quadrant_before", "quadrant before"),
                ("quadrant", "quadrant now"),
                ("signals_appeared", "signals appeared"),
                ("signals_lapsed", "signals lapsed"),
            ],
            {"arr", "risk_score_before", "loyalty_risk_score", "risk_change"},
            cur,
        ),
        "<h2>The watchlist and ARR at risk, night by night</h2>",
        _figure_html(trend_figure(data), "trend-chart", first=False),
        "<h2>ARR at risk by owner</h2>",
        _figure_html(owners_figure(data), "owners-chart", first=False),
        "<h2>Backtest: did the flagged accounts defect?</h2>",
        '<p class="note">Precision and lift of the watchlist and risk tier high per night '
        "(and of the satisfaction-only baseline where the warehouse has it). "
        f"{len(complete)} of {len(data.backtest)} points have their whole horizon delivered; "
        "the others are still filling in.</p>",
        _figure_html(backtest_figure(data), "backtest-chart", first=False)
        if data.backtest
        else '<p class="note">no backtest yet</p>',
        "<h2>Data quality of the night</h2>",
        f'<p class="note">{data.quarantined} quarantined row(s) or rejected file(s) on '
        f"{esc(data.night)} (<code>rapport quarantine --date {esc(data.night)}</code>).</p>",
        _table(
            data.loads,
            [
                ("source", "source"),
                ("object", "object"),
                ("rows_read", "rows read"),
                ("rows_loaded", "loaded"),
                ("rows_quarantined", "quarantined"),
                ("rejected", "rejected file"),
            ],
            {"rows_read", "rows_loaded", "rows_quarantined"},
            cur,
        ),
        "<h3>Answers and tickets that speak for no known account</h3>",
        f'<p class="note">{esc(_unattributed_note(data.attribution))} Unattributed records '
        "are kept, not scored (<code>marts.attribution_coverage</code>).</p>",
        _table(
            data.attribution,
            [
                ("record_type", "record"),
                ("attributed_by", "attributed by"),
                ("outcome", "outcome"),
                ("records", "records"),
                ("share_of_records", "share"),
                ("example_record_ids", "e.g."),
            ],
            {"records", "share_of_records"},
            cur,
        ),
        "<h3>Freshness of each source (accounts by status)</h3>",
        _table(
            data.freshness,
            [("source", "source"), ("status", "status"), ("accounts", "accounts")],
            {"accounts"},
            cur,
        ),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Rapport, night of {esc(data.night)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(sections)}</body></html>\n"
    )


def _unattributed_note(rows: Rows) -> str:
    """'3 survey response(s) and 0 ticket(s) speak for no known account.'"""
    if not rows:
        return "No attribution counts in this warehouse yet."
    missing = {"survey_response": 0, "ticket": 0}
    for row in rows:
        if row["outcome"] in ("unknown_account", "unresolved"):
            missing[str(row["record_type"])] += int(row["records"] or 0)
    return (
        f"{missing['survey_response']:,} survey response(s) and {missing['ticket']:,} "
        "ticket(s) speak for no known account."
    )


def _on_watchlist(row: dict) -> bool:
    return (row.get("quadrant_override") or row.get("quadrant")) == "accessible"


def write_report(paths: Paths, out: Path, config: ReportConfig) -> Path:
    """Render the report of the latest published night to `out` (written atomically)."""
    data = read_report_data(paths, config.trend_nights, config.top_rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}")
    tmp.write_text(render_report(data), encoding="utf-8")
    os.replace(tmp, out)
    return out


def nightly_report_path(paths: Paths, night: date) -> Path:
    """Where the nightly asset keeps each night's page: `<warehouse dir>/reports/<night>.html`."""
    return paths.warehouse.parent / "reports" / f"{night.isoformat()}.html"


def published_night(warehouse: Path) -> date:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select as_of_date from rapport.publication").fetchall()[0][0]
    finally:
        con.close()
