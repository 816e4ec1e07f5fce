"""The nightly report's page: escaped values, the chart's points, money with its currency."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from rapport.report import quadrant_figure, render_report
from rapport.report_data import ReportData
from tests.browser import Chromium, chromium_path

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _data() -> ReportData:
    accounts = [
        {
            "account_id": "A1",
            "account_name": HOSTILE,
            "owner_name": "Kim",
            "arr": 100000.0,
            "satisfaction_score": 80.0,
            "loyalty_risk_score": 60,
            "risk_tier": "high",
            "quadrant": "accessible",
            "quadrant_override": None,
            "override_reason": None,
            "reasons": "shopping_language (+20, 1d ago): </script>",
        },
        {
            "account_id": "A2",
            "account_name": "Beta",
            "owner_name": "Lee",
            "arr": 5000.0,
            "satisfaction_score": None,
            "loyalty_risk_score": 10,
            "risk_tier": "low",
            "quadrant": "insufficient_evidence",
            "quadrant_override": None,
            "override_reason": None,
            "reasons": "",
        },
    ]
    return ReportData(
        night=date(2026, 10, 9),
        published_at=datetime(2026, 10, 10, 2, 0),
        currency="CHF",
        satisfied_threshold=65,
        high_risk_threshold=50,
        accounts=accounts,
        watchlist=[{"watchlist_rank": 1, **accounts[0], "days_to_renewal": 30}],
        movers=[],
        movers_days=7,
        trend=[],
        owners=[],
        backtest=[],
        loads=[],
        quarantined=0,
        freshness=[],
        attribution=[
            {
                "record_type": "survey_response",
                "attributed_by": "embedded_account_id",
                "outcome": "unknown_account",
                "records": 3,
                "share_of_records": 0.03,
                "example_record_ids": f"R_1, {HOSTILE}",
            },
            {
                "record_type": "ticket",
                "attributed_by": "unresolved",
                "outcome": "unresolved",
                "records": 2,
                "share_of_records": 0.01,
                "example_record_ids": "17, 18",
            },
            {
                "record_type": "ticket",
                "attributed_by": "ticket_organization",
                "outcome": "account",
                "records": 198,
                "share_of_records": 0.99,
                "example_record_ids": "1, 2",
            },
        ],
    )


def test_every_value_is_escaped() -> None:
    page = render_report(_data())
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # the only script tags are plotly's own
    assert '</script>"' not in page and ": </script>" not in page


def test_answers_and_tickets_for_no_known_account_are_counted() -> None:
    page = render_report(_data())
    assert "3 survey response(s) and 2 ticket(s) speak for no known account." in page
    assert "unknown_account" in page and "17, 18" in page


def test_the_chart_places_only_scored_accounts() -> None:
    fig, scored = quadrant_figure(_data())
    assert scored == 1
    assert sum(len(t.x) for t in fig.data) == 1


def test_money_shows_its_currency() -> None:
    page = render_report(_data())
    assert "Money in CHF" in page
    assert "100,000 CHF" in page


def test_a_hostile_name_stays_text_in_the_browser(tmp_path) -> None:
    if chromium_path() is None:
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(render_report(_data()), encoding="utf-8")
    with Chromium() as browser:
        browser.open(page.as_uri())
        injected = browser.evaluate("document.querySelectorAll('img[src=x]').length")
        cell = browser.evaluate("document.querySelector('tbody td:nth-child(2)').textContent")
        points = browser.evaluate(
            "document.querySelectorAll('#quadrant-chart .scatterlayer .point').length"
        )
        errors = browser.run.errors
    assert errors == [] and injected == 0
    assert cell == HOSTILE
    assert points == 1
