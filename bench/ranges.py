"""The range scenarios: many nights in one `rapport run`, beside the single nights.

- ``demo``: the demo's shape, 2,000 accounts x 28 nights, every night in one first run
  (what ``make demo`` runs, without generating the landing and printing the watchlist);
- ``first-run``: 10,000 accounts x 90 nights, one first run (a new installation with a
  quarter of exports);
- ``backfill``: 7 nights (``--from`` night 2 ``--to`` night 8) on an installation that
  loaded night 1 (the full load) of 100,000 accounts: a catch-up after an outage.

Each is measured like a single night (wall, CPU, peak memory of the process tree, stages),
``repeats`` times from the same state, each followed by its floor (DuckDB alone over the
same files, one pass per object, and the same compiled SQL). ``--ranges demo,backfill@10k``
picks scenarios, ``@<scale>`` changes the number of accounts (a smaller backfill on a
shared machine).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from bench.common import REPO, START, BenchError, Log
from bench.facts import FLOOR_DEFINITION, envelope, landing_facts
from bench.landing import accounts_of, ensure_landing
from bench.measured import Places, Window, repeat_runs
from bench.nights import completed, summarize, target


@dataclass(frozen=True)
class Scenario:
    name: str
    accounts: int
    days: int  # nights in the landing, from START
    first: int  # the first measured night (0: START)
    ratio_target: float  # the target: Rapport's wall time / the floor's
    about: str

    @property
    def measured_nights(self) -> int:
        return self.days - self.first

    @property
    def scale(self) -> str:
        return f"range-{self.name}-{self.accounts}"


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("demo", 2_000, 28, 0, 3.0, "the demo: 2,000 accounts x 28 nights, one run"),
        Scenario("first-run", 10_000, 90, 0, 2.0, "10,000 accounts x 90 nights, one first run"),
        Scenario("backfill", 100_000, 8, 1, 1.5, "7 nights on an installation that loaded night 1"),
    )
}


def scenario_of(spec: str) -> Scenario:
    """``demo``, ``first-run``, ``backfill``, each optionally ``@<accounts>`` (``backfill@10k``)."""
    name, _, scale = spec.strip().partition("@")
    if name not in SCENARIOS:
        raise BenchError(f"range {name!r} is not one of {', '.join(SCENARIOS)}")
    found = SCENARIOS[name]
    return replace(found, accounts=accounts_of(scale)) if scale else found


def bench_range(
    scenario: Scenario,
    repeats: int,
    work: Path,
    keep: bool = False,
    source: Path = REPO,
    max_rss: int | None = None,
    log: Log = print,
) -> dict:
    """Measure one range scenario; returns its result (the shape of a scale's, with one run
    kind, ``range``)."""
    folder = work / scenario.scale
    first = START + timedelta(days=scenario.first)
    last = START + timedelta(days=scenario.days - 1)
    log(f"range {scenario.name}: {scenario.about} ({scenario.accounts:,} accounts)")
    generated = ensure_landing(folder, scenario.accounts, source, log, days=scenario.days)
    landing = folder / "landing"
    load = {"before": list(os.getloadavg())}
    root, base = folder / "install", None
    if scenario.first > 0:  # the installation the range runs on: the nights before it
        base = folder / "base"
        setup = repeat_runs(
            Window(landing, START, first - timedelta(days=1), "setup (not measured)"),
            Places(root, folder, None, base),
            1,
            source,
            max_rss,
            None,
            log,
        )
        if setup.failure is not None:
            raise BenchError(f"range {scenario.name}: the setup failed: {setup.failure}")
    done = repeat_runs(
        Window(landing, first, last, f"{scenario.measured_nights} nights"),
        Places(root, folder, base),
        repeats,
        source,
        max_rss,
        None,
        log,
    )
    runs = {"range": done.failure or summarize(done.samples, done.floors, done.matches)}
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)
    result = {
        **envelope(scenario.scale, scenario.accounts, repeats, None, source, load),
        "scenario": {
            "name": scenario.name,
            "about": scenario.about,
            "first": first.isoformat(),
            "last": last.isoformat(),
            "nights": scenario.measured_nights,
            "loaded_before": scenario.first,
        },
        "landing": landing_facts(generated, scenario.days),
        "rows": {"range": done.rows},
        "floor_definition": FLOOR_DEFINITION,
        "runs": runs,
    }
    run = runs["range"]
    result["targets"] = (
        {"range_ratio_to_floor": target(run["ratio_to_floor"]["wall"], scenario.ratio_target)}
        if completed(run)
        else {}
    )
    return result
