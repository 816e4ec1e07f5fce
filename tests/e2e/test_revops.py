"""What RevOps uses, over a few nights of one installation: movers, alerts (raised once, even
across a rebuilt lake), overrides (beside the computed value, lapsing by themselves), the
nightly report in headless Chromium, the watchlist's filters, and the webhook in a night."""

from __future__ import annotations

import json
import re
import shutil
import time
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.alerts import build_alerts_asset
from pipelines.defs.resources import explicit_resources
from rapport.cli import main
from rapport.config import AlertConfig, MoneyConfig
from tests.browser import Chromium, chromium_path
from tests.pipeline_helpers import Installation, generate
from tests.webhook_server import webhook_server

START = date(2026, 10, 1)
NIGHTS = 10
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    """Nine of ten delivered nights run in one go (the tenth is left to arrive later)."""
    root = tmp_path_factory.mktemp("revops")
    inst = generate(root, accounts=160, start=START, days=NIGHTS, seed=11)
    assert inst.run("--from", "2026-10-01", "--to", "2026-10-09") == 0
    return inst


@pytest.fixture
def installation(built: Installation, tmp_path: Path) -> Installation:
    """A copy of the built installation a test may change."""
    root = tmp_path / "inst"
    shutil.copytree(built.warehouse.parent, root, symlinks=True)
    return Installation(root / "landing", root / "warehouse.duckdb", root / "labels.csv")


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_movers_say_what_changed_against_the_history(
    built: Installation, capsys: pytest.CaptureFixture[str]
) -> None:
    history = {
        (str(d), a): (score, tier, quadrant)
        for d, a, score, tier, quadrant in built.serving_query(
            "select as_of_date, account_id, loyalty_risk_score, risk_tier, quadrant "
            "from marts.account_loyalty_history"
        )
    }
    rows = _cli_json(capsys, "movers", "--warehouse", str(built.warehouse), "--format", "json")
    assert rows, "a week of nights moves some accounts"
    assert {r["as_of_date"] for r in rows} == {"2026-10-09"}
    assert {r["baseline_date"] for r in rows} == {"2026-10-02"}
    for r in rows:
        now = history[("2026-10-09", r["account_id"])]
        before = history.get(("2026-10-02", r["account_id"]))
        assert (r["loyalty_risk_score"], r["risk_tier"], r["quadrant"]) == now
        if before is None:
            assert r["movement"] == "new_account"
            continue
        assert (r["risk_score_before"], r["risk_tier_before"], r["quadrant_before"]) == before
        assert before != now or r["movement"] in ("entered_watchlist", "left_watchlist")
    # every account that changed is listed: none is missing
    changed = {
        a
        for (d, a), now in history.items()
        if d == "2026-10-09" and history.get(("2026-10-02", a)) not in (None, now)
    }
    assert changed <= {r["account_id"] for r in rows}
    table = capsys.readouterr().out
    assert main(["movers", "--warehouse", str(built.warehouse), "--days", "1"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("Since 2026-10-08 (to 2026-10-09): ")


def test_watchlist_filters_and_columns(
    built: Installation, capsys: pytest.CaptureFixture[str]
) -> None:
    wh = str(built.warehouse)
    everyone = _cli_json(capsys, "watchlist", "--warehouse", wh, "--format", "json")
    assert everyone and {"risk_tier", "owner_id", "days_to_renewal", "currency"} <= set(everyone[0])
    assert {r["currency"] for r in everyone} == {"EUR"}
    owner = everyone[0]["owner_name"]
    mine = _cli_json(capsys, "watchlist", "--warehouse", wh, "--format", "json", "--owner", owner)
    assert mine == [r for r in everyone if r["owner_name"] == owner]
    soon = _cli_json(
        capsys, "watchlist", "--warehouse", wh, "--format", "json", "--renewal-within", "90"
    )
    assert soon == [r for r in everyone if 0 <= r["days_to_renewal"] <= 90]
    big = _cli_json(
        capsys, "watchlist", "--warehouse", wh, "--format", "json", "--min-arr", "50000"
    )
    assert big == [r for r in everyone if r["arr"] >= 50000]
    comment = built.serving_query(
        "select comment from duckdb_columns() where table_name = 'satisfied_at_risk' "
        "and column_name = 'arr_at_risk'"
    )[0][0]
    assert comment.endswith("Money, in EUR.")


def test_report_renders_in_chromium_with_one_point_per_scored_account(
    built: Installation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if chromium_path() is None:
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)")
    nightly = built.warehouse.parent / "reports" / "2026-10-09.html"
    assert nightly.exists(), "the Dagster asset writes each night's page"
    out = tmp_path / "report.html"
    assert main(["report", "--warehouse", str(built.warehouse), "--out", str(out)]) == 0
    scored = built.serving_query(
        "select count(*) from marts.account_loyalty_risk "
        "where satisfaction_score is not null and loyalty_risk_score is not null"
    )[0][0]
    page = out.read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)  # nothing fetched
    unattributed = dict(
        built.serving_query(
            "select record_type, sum(records) from marts.attribution_coverage "
            "where outcome in ('unknown_account', 'unresolved') group by record_type"
        )
    )
    assert (
        f"{unattributed.get('survey_response', 0):,} survey response(s) and "
        f"{unattributed.get('ticket', 0):,} ticket(s) speak for no known account."
    ) in page
    with Chromium() as browser:
        browser.open(out.as_uri())
        points = browser.evaluate(
            "document.querySelectorAll('#quadrant-chart .scatterlayer .point').length"
        )
        traces = browser.evaluate(
            "document.getElementById('quadrant-chart').data.map(t => t.x.length)"
        )
        shot = browser.screenshot(ARTIFACTS / "nightly-report.png")
        errors = browser.run.errors
    print(f"report screenshot: {shot}")
    assert errors == []
    assert points == scored == sum(traces)
    assert shot.stat().st_size > 10_000


def test_webhook_in_a_night_is_bounded_by_its_timeout(installation: Installation) -> None:
    """The alerts step of a night with a slow webhook: reported, not failed, not delayed."""
    paths = installation.paths
    (paths.records_dir / "alerts.parquet").unlink()  # as if the webhook had been set up first
    asset = build_alerts_asset(
        AlertConfig(webhook_url_env="RAPPORT_E2E_HOOK", timeout_seconds=1, post_within_nights=9),
        MoneyConfig("CHF"),
    )
    with webhook_server(delay=60) as (url, received):
        monkey = pytest.MonkeyPatch()
        monkey.setenv("RAPPORT_E2E_HOOK", url)
        try:
            started = time.monotonic()
            result = dg.materialize([asset], resources=explicit_resources(paths))
            elapsed = time.monotonic() - started
            again = dg.materialize([asset], resources=explicit_resources(paths))
        finally:
            monkey.undo()
    assert result.success and again.success
    meta = result.asset_materializations_for_node("marts__alerts")[0].metadata
    assert meta["webhook"].value == "timed out after 1s"
    assert meta["new_alerts"].value > 0
    assert len(received) == 1 and "CHF" in received[0]["text"]
    assert elapsed < 45  # it did not wait for the webhook's 60 s
    rerun = again.asset_materializations_for_node("marts__alerts")[0].metadata
    assert rerun["new_alerts"].value == 0


def test_a_new_night_an_override_and_a_rebuilt_lake(installation: Installation) -> None:
    """Night 10 arrives; an override pins a watchlist account for night 9 only; the lake is
    rebuilt from the landing. Alerts are raised once (same rows, same raised_at), the
    override shows beside the computed value on night 9 and has lapsed on night 10."""
    inst, paths = installation, installation.paths
    assert inst.run() == 0  # loads night 10
    alerts = inst.serving_query("select alert_id, raised_at from marts.alerts order by 1")
    night10 = [a for a, _ in alerts if a.endswith("2026-10-10")]
    events10 = inst.serving_query(
        "select alert_id from marts.alert_events where as_of_date = '2026-10-10'"
    )
    assert sorted(night10) == sorted(e for (e,) in events10)

    pinned, computed = inst.serving_query(
        "select account_id, quadrant from marts.account_loyalty_history "
        "where as_of_date = '2026-10-09' and quadrant = 'accessible' order by arr desc limit 1"
    )[0]
    assert (
        main(
            [
                "override", "add", pinned, "--quadrant", "truly_loyal",
                "--reason", "renewal signed on the phone", "--author", "kim",
                "--from", "2026-10-09", "--expires", "2026-10-09",
                "--warehouse", str(inst.warehouse),
            ]
        )
        == 0
    )  # fmt: skip

    shutil.rmtree(paths.lake)
    inst.warehouse.unlink()
    assert inst.run() == 0  # every night again, from the landing

    after = dict(inst.serving_query("select alert_id, raised_at from marts.alerts"))
    assert {a: after.get(a) for a, _ in alerts} == dict(alerts)  # none raised again
    # the only new ones: the pinned account leaving and re-entering the watchlist
    assert {a.split("|")[0] for a in set(after) - dict(alerts).keys()} <= {pinned}
    rows = dict(
        (str(d), (q, o, r))
        for d, q, o, r in inst.serving_query(
            "select as_of_date, quadrant, quadrant_override, override_reason "
            f"from marts.account_loyalty_history where account_id = '{pinned}' "
            "and as_of_date >= '2026-10-09'"
        )
    )
    assert rows["2026-10-09"] == (computed, "truly_loyal", "renewal signed on the phone")
    assert rows["2026-10-10"][1:] == (None, None)  # lapsed by itself
