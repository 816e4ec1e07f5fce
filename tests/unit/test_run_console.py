"""What `rapport run` prints around a run, whatever the run does: the plan, the result line,
`--quiet`. The run itself is handed in (`execute`); here it only reports an outcome."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date

from rapport.paths import Paths
from rapport.run_console import run_command


@dataclass(frozen=True)
class Outcome:
    success: bool
    run_id: str
    message: str
    warnings: tuple[str, ...] = ()


def _args(**overrides) -> argparse.Namespace:
    values = dict(
        date=None,
        night_from=None,
        night_to=None,
        force=False,
        release=False,
        verbose=False,
        engine=None,
    )
    values.update(overrides)
    return argparse.Namespace(quiet=values.pop("quiet", False), **values)


def _installation(tmp_path) -> Paths:
    folder = tmp_path / "landing" / "crm" / "dt=2026-10-01"
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").touch()
    return Paths.resolve(tmp_path / "w.duckdb", landing=tmp_path / "landing")


def _execute(outcome: Outcome, calls: list):
    def execute(paths, plan, **kwargs):
        calls.append((plan.night_from, plan.night_to, kwargs["log_level"]))
        return outcome

    return execute


def test_the_plan_and_the_result_line(tmp_path, capsys):
    calls: list = []
    paths = _installation(tmp_path)
    code = run_command(_args(), paths, _execute(Outcome(True, "r1", "ok: nights x"), calls))
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and calls == [(date(2026, 10, 1), date(2026, 10, 1), "CRITICAL")]
    assert out[0] == "running nights 2026-10-01 .. 2026-10-01 (deliveries to load: crm: 1)"
    assert out[1] == "- starting Dagster (loading the pipeline definitions)"
    assert out[-1] == f"ok: nights x; published {paths.warehouse} (Dagster run r1)"


def test_quiet_says_nothing_on_success_and_one_line_on_failure(tmp_path, capsys):
    paths = _installation(tmp_path)
    assert run_command(_args(quiet=True), paths, _execute(Outcome(True, "r1", "ok"), [])) == 0
    assert capsys.readouterr() == ("", "")
    failed = Outcome(False, "r2", "step ingest_crm failed: crm gate failed: why")
    assert run_command(_args(quiet=True, force=True), paths, _execute(failed, [])) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert (
        err == "rapport run failed: step ingest_crm failed: crm gate failed: why (Dagster run r2)\n"
    )


def test_failed_warn_checks_are_named_above_the_result_line(tmp_path, capsys):
    """A night that published but whose non-blocking checks failed says which, one line each;
    `--quiet` (cron) still prints nothing."""
    paths = _installation(tmp_path)
    warned = Outcome(
        True,
        "r3",
        "ok: nights x",
        (
            "marts/satisfied_at_risk satisfied_but_leaving: 2 of 40 customer accounts ...",
            "staging/stg_crm__tasks accepted_values_task_type: 3 rows fail this dbt test",
        ),
    )
    assert run_command(_args(), paths, _execute(warned, [])) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == [
        "warning: marts/satisfied_at_risk satisfied_but_leaving: 2 of 40 customer accounts ...",
        "warning: staging/stg_crm__tasks accepted_values_task_type: 3 rows fail this dbt test",
        f"ok: nights x; published {paths.warehouse} (Dagster run r3)",
    ]
    assert run_command(_args(quiet=True), paths, _execute(warned, [])) == 0
    assert capsys.readouterr() == ("", "")


def test_force_says_what_it_loads_again(tmp_path, capsys):
    """`--force` on a loaded night does not say "deliveries to load: none": it names what
    it loads again."""
    paths = _installation(tmp_path)
    assert run_command(_args(force=True), paths, _execute(Outcome(True, "r4", "ok"), [])) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        "running nights 2026-10-01 .. 2026-10-01 "
        "(--force: every delivery of the range is loaded again: crm: 1)"
    )
