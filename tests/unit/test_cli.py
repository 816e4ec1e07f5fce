"""CLI behaviour that needs no pipeline run: arguments, paths, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipelines.cli import main


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


@pytest.mark.parametrize(
    ("nights", "message"),
    [
        (["--to", "2026-09-03"], "--to needs --from"),
        (
            ["--from", "2026-09-07", "--to", "2026-09-05"],
            "--from 2026-09-07 is after --to 2026-09-05",
        ),
    ],
    ids=["to-without-from", "from-after-to"],
)
def test_a_range_of_nights_must_make_sense(tmp_path, capsys, nights, message):
    (tmp_path / "landing").mkdir()
    landing, warehouse = str(tmp_path / "landing"), str(tmp_path / "w.duckdb")
    code = main(["run", "--landing", landing, "--warehouse", warehouse, *nights])
    assert code == 2
    assert message in capsys.readouterr().err


def test_a_warehouse_under_a_file_is_a_bad_path(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    (tmp_path / "afile").touch()
    warehouse = tmp_path / "afile" / "w.duckdb"
    code = main(["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(warehouse)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'afile'} (in --warehouse {warehouse}) is a file, not a folder" in err


def test_rapport_run_as_a_program_exits_2_on_bad_paths(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--landing", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"rapport run: landing folder {tmp_path / 'nope'} does not exist"


def test_the_library_cli_leaves_run_to_the_program(tmp_path, capsys):
    from rapport.cli import main as library_main

    assert library_main(["run", "--landing", str(tmp_path)]) == 2
    assert "run by the `rapport` program" in capsys.readouterr().err


def test_retract_without_an_installation_says_so_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    warehouse = tmp_path / "empty" / "w.duckdb"
    code = main(
        [
            "retract",
            "--landing",
            str(tmp_path / "landing"),
            "--warehouse",
            str(warehouse),
            "--date",
            "2026-09-03",
        ]
    )
    assert code == 2
    assert "night 2026-09-03 is not loaded: there is no lake at" in capsys.readouterr().err
    assert not (tmp_path / "empty").exists()
