"""`rapport backtest` prints the per-cohort figures of the nights whose horizon is complete,
beside the satisfaction-only baseline, and the per-signal table."""

from __future__ import annotations

import duckdb

from rapport.cli import main


def test_backtest_prints_cohorts_on_complete_nights_and_signals(tmp_path, capsys):
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.loyalty_backtest as select * from (values
            (date '2026-01-01', 'watchlist', 10, 0.7, 0.6, 3.0, 1.2, 0.81, 40.0, true, 'tune-0001'),
            (date '2026-01-02', 'watchlist', 12, 0.5, 0.4, 2.0, 0.8, 0.79, 30.0, true, 'tune-0001'),
            (date '2026-06-01', 'watchlist', 99, 0.0, 0.0, 0.0, 9.9, 0.10, 1.0, false, 'tune-0001'),
            (date '2026-01-01', 'tier:high', 20, 0.4, 0.7, 1.5, 1.1, 0.81, 35.0, true, 'tune-0001')
        ) as t(as_of_date, cohort, flagged, precision, recall, lift, baseline_lift, auc,
               median_days_warning, horizon_complete, weights_version)
        """
    )
    con.execute(
        """
        create table marts.loyalty_signal_backtest as select * from (values
            ('complaint_tickets', 40, 900, 0.31, 0.10, 0.25, 0.08),
            ('new_customer', 12, 300, 0.51, 0.05, 0.40, 0.04)
        ) as t(signal, accounts_with, account_nights_with, defection_rate_with,
               defection_rate_without, satisfied_defection_rate_with, satisfied_defection_rate_without)
        """
    )
    con.close()
    assert main(["backtest", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "nights whose horizon is complete" in out and "latest scorecard tune-0001" in out
    watchlist = next(line for line in out.splitlines() if line.startswith("watchlist"))
    # the incomplete night (flagged 99) is left out: the average of 10 and 12 flagged
    assert watchlist.split()[1:5] == ["2", "2026-01-01", "2026-01-02", "11.0"]
    assert "0.6" in watchlist and "2.5" in watchlist and "1.0" in watchlist
    lines = out.splitlines()
    assert lines.index(next(x for x in lines if x.startswith("new_customer"))) < lines.index(
        next(x for x in lines if x.startswith("complaint_tickets"))
    )
