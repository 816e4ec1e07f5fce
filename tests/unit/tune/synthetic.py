"""A small warehouse written directly (no pipeline): the three marts `rapport tune` reads,
with accounts whose signals do or do not precede their defection. The rules here are this
file's own, unrelated to the demo generator's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

START = date(2025, 1, 1)


@dataclass(frozen=True)
class World:
    accounts: int = 400
    nights: int = 150
    leaving_share: float = 0.25
    lead_days: int = 40  # signals show this long before a defection
    seed: int = 11


def build(path: Path, world: World = World(), defections_after: date | None = None) -> Path:
    """Write the warehouse; `defections_after` adds a defection after that date to every
    account that has none (to show nothing after the fit window is read)."""
    rng = np.random.default_rng(world.seed)
    late = np.random.default_rng(world.seed + 1)  # the added defections: not to shift `rng`
    last = START + timedelta(days=world.nights - 1)
    history, signals, defections = [], [], []
    for a in range(world.accounts):
        account = f"A{a:04d}"
        leaving = rng.random() < world.leaving_share
        satisfied = rng.random() < 0.8
        defected_on = (
            START + timedelta(days=int(rng.integers(world.lead_days, world.nights + 60)))
            if leaving
            else None
        )
        # what fires: leavers show complaints and early tenure before leaving; everyone shows
        # survey-answer noise and, sometimes, a complaint
        windows: list[tuple[str, date, date, float]] = []
        if leaving:
            lo = defected_on - timedelta(days=world.lead_days)
            if rng.random() < 0.8:
                windows.append(("complaint_tickets", lo, defected_on, rng.uniform(0.4, 1.0)))
            if rng.random() < 0.6:
                windows.append(("new_customer", lo, defected_on, rng.uniform(0.3, 1.0)))
        if rng.random() < 0.1:
            s = START + timedelta(days=int(rng.integers(0, world.nights)))
            windows.append(("complaint_tickets", s, s + timedelta(days=30), rng.uniform(0.2, 0.6)))
        if rng.random() < 0.35:
            s = START + timedelta(days=int(rng.integers(0, world.nights)))
            windows.append(("evaluated_alternatives", s, s + timedelta(days=60), 1.0))
        if defected_on is None and defections_after is not None:
            on = defections_after + timedelta(days=int(late.integers(1, 20)))
            defected_on = on if on <= last else None
        for d in range(world.nights):
            night = START + timedelta(days=d)
            if defected_on is not None and night >= defected_on:
                break
            history.append((night, account, 80.0 if satisfied else 40.0))
            for name, lo, hi, strength in windows:
                if lo <= night < hi:
                    signals.append((night, account, name, float(strength)))
        if defected_on is not None and defected_on <= last:
            defections.append((account, defected_on, defected_on + timedelta(days=1)))
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    h = pl.DataFrame(
        history, schema=["as_of_date", "account_id", "satisfaction_score"], orient="row"
    )
    s = pl.DataFrame(
        signals, schema=["as_of_date", "account_id", "signal", "strength"], orient="row"
    )
    d = pl.DataFrame(defections, schema=["account_id", "defected_on", "known_since"], orient="row")
    con.register("h", h)
    con.register("s", s)
    con.register("d", d)
    con.execute(
        "create table marts.account_loyalty_history as select as_of_date, account_id, "
        "satisfaction_score, 0 as loyalty_risk_score, 'low' as risk_tier, 'truly_loyal' as quadrant, "
        "5::bigint as behaviour_events, 'default' as weights_version from h"
    )
    con.execute(
        "create table marts.account_signal_history as select as_of_date, account_id, signal, "
        "strength, 0 as points, 'default' as weights_version from s"
    )
    con.execute("create table marts.account_defections as select * from d")
    con.close()
    return path
