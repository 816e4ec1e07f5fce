"""CLI behaviour that needs no pipeline run: arguments, paths, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rapport.cli import main


def test_missing_landing_is_a_clear_error(tmp_path, capsys):
    code = main(
        ["run", "--landing", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == f"rapport run: landing folder {tmp_path / 'nope'} does not exist"


def test_warehouse_must_be_a_duckdb_file(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    code = main(
        ["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path / "w.db")]
    )
    assert code == 2
    assert "must be a .duckdb file path" in capsys.readouterr().err


def test_an_empty_landing_has_nothing_to_do(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    code = main(
        ["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert code == 0
    assert "nothing to do" in capsys.readouterr().out


def test_watchlist_without_a_warehouse_says_so(tmp_path, capsys):
    code = main(["watchlist", "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_bad_date_is_refused_by_argparse(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--landing", str(tmp_path), "--date", "yesterday"])
    assert exc.value.code == 2
    assert "is not a date like 2026-11-01" in capsys.readouterr().err


def test_to_needs_from(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    code = main(
        [
            "run",
            "--landing",
            str(tmp_path / "landing"),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--to",
            "2026-09-03",
        ]
    )
    assert code == 2
    assert "--to needs --from" in capsys.readouterr().err


_STUBBED_RUN = """
import sys
from datetime import date
import rapport.runner as runner
ok = sys.argv[1] == "ok"
runner.plan_run = lambda *a, **k: runner.RunPlan(date(2026, 9, 1), date(2026, 9, 1), {})
runner.execute = lambda *a, **k: runner.RunOutcome(ok, "run-1", "step x: why")
from rapport.cli import main
sys.argv = ["rapport", "run", "--landing", sys.argv[2], "--warehouse", sys.argv[3]]
main()
sys.exit(99)  # not reached: as a program, `rapport run` ends the process itself
"""


@pytest.mark.parametrize(
    ("outcome", "code", "stream", "text"),
    [
        ("ok", 0, "stdout", "step x: why; published"),
        ("failed", 1, "stderr", "rapport run failed: step x: why (Dagster run run-1)"),
    ],
)
def test_rapport_run_as_a_program_exits_with_its_code_and_flushed_output(
    tmp_path, outcome, code, stream, text
):
    """`rapport run` ends with os._exit (no interpreter teardown): the code and every line
    printed still arrive through a pipe."""
    (tmp_path / "landing").mkdir()
    args = [str(tmp_path / "landing"), str(tmp_path / "w.duckdb")]
    proc = subprocess.run(
        [sys.executable, "-c", _STUBBED_RUN, outcome, *args], capture_output=True, text=True
    )
    assert proc.returncode == code, proc.stderr
    assert "running nights 2026-09-01 .. 2026-09-01" in proc.stdout
    assert text in getattr(proc, stream)


def test_rapport_run_as_a_program_exits_2_on_bad_paths(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "rapport.cli", "run", "--landing", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"rapport run: landing folder {tmp_path / 'nope'} does not exist"
