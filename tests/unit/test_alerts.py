"""The alerts ledger: each event raised once; posted when configured; a failing webhook is
recorded, never raised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from rapport.alerts import raise_alerts, read_ledger
from rapport.config import AlertConfig
from tests.webhook_server import webhook_server

EVENTS = """
create schema marts;
create table marts.account_loyalty_risk as select date '2026-10-12' as as_of_date;
create table marts.alert_events (
    alert_id varchar, as_of_date date, account_id varchar, account_name varchar,
    owner_id varchar, owner_name varchar, event varchar, arr double,
    risk_score_before integer, loyalty_risk_score integer, risk_change integer,
    quadrant_before varchar, quadrant varchar, quadrant_override varchar,
    signals_appeared varchar, reasons varchar
);
insert into marts.alert_events values
    ('A1|entered_accessible|2026-10-12', '2026-10-12', 'A1', '<b>Acme</b> & Co', 'U1', 'Kim',
     'entered_accessible', 120000, 30, 60, 30, 'truly_loyal', 'accessible', null,
     'evaluated_alternatives', 'evaluated_alternatives (+30, 2d ago): RFP'),
    ('A2|risk_rose|2026-10-05', '2026-10-05', 'A2', 'Beta', 'U2', 'Lee',
     'risk_rose', 50000, 10, 40, 30, 'trapped', 'trapped', null, 'key_contact_lost', 'x');
"""


@pytest.fixture
def build_db(tmp_path: Path) -> Path:
    path = tmp_path / "build.duckdb"
    con = duckdb.connect(str(path))
    con.execute(EVENTS)
    con.close()
    return path


def test_each_event_is_raised_once_and_only_the_latest_night_is_posted(
    build_db: Path, tmp_path: Path
) -> None:
    records = tmp_path / "records"
    config = AlertConfig(webhook_url_env="RAPPORT_TEST_HOOK", timeout_seconds=5)
    with webhook_server() as (url, received):
        first = raise_alerts(build_db, records, config, "EUR", {"RAPPORT_TEST_HOOK": url})
        again = raise_alerts(build_db, records, config, "EUR", {"RAPPORT_TEST_HOOK": url})
    assert (first.raised, first.posted, again.raised, again.posted) == (2, 1, 0, 0)
    assert len(received) == 1
    text = received[0]["text"]
    assert "night 2026-10-12: 1 new alert(s)" in text
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in text  # Slack's control characters escaped
    assert "120,000 EUR" in text
    ledger = {r["account_id"]: r for r in read_ledger(records).iter_rows(named=True)}
    assert ledger["A1"]["notification"] == "posted"
    assert ledger["A2"]["notification"] == "not posted: older than the latest 1 night(s)"


def test_a_failing_webhook_is_recorded_and_never_retried(build_db: Path, tmp_path: Path) -> None:
    records = tmp_path / "records"
    config = AlertConfig(webhook_url_env="HOOK", timeout_seconds=0.5)
    with webhook_server(delay=3) as (url, received):
        run = raise_alerts(build_db, records, config, "EUR", {"HOOK": url})
        rerun = raise_alerts(build_db, records, config, "EUR", {"HOOK": url})
    assert run.post is not None and not run.post.ok
    assert rerun.raised == 0 and len(received) == 1
    (a1,) = [r for r in read_ledger(records).iter_rows(named=True) if r["account_id"] == "A1"]
    assert a1["notification"] == "post failed: timed out after 0.5s"


def test_without_a_webhook_alerts_are_still_recorded(build_db: Path, tmp_path: Path) -> None:
    records = tmp_path / "records"
    run = raise_alerts(build_db, records, AlertConfig(webhook_url_env="UNSET_HOOK"), "EUR", {})
    assert run.raised == 2 and run.post is None
    notes = set(read_ledger(records)["notification"])
    assert "not posted: $UNSET_HOOK is not set" in notes
    assert (
        read_ledger(records).filter(read_ledger(records)["as_of_date"] == date(2026, 10, 12)).height
        == 1
    )
