"""CLI manners that need no pipeline run: version, help, closed pipes, paths, generate."""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from rapport.cli import _parser
from rapport.watchlist import COLUMNS


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("rapport 0.")


def test_every_option_has_help_and_shows_its_default():
    parser = _parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        text = sub.format_help()
        for action in sub._actions:
            if not action.option_strings or action.dest == "help":
                continue
            assert action.help, f"{name} {action.option_strings[0]} has no help"
            if action.default not in (None, False, ""):  # an empty default says nothing
                assert f"(default: {action.default})" in " ".join(text.split()), (
                    f"{name} {action.option_strings[0]}"
                )


def _warehouse(path: Path, accounts: int) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.account_loyalty_risk as select date '2026-10-05' as as_of_date")
    columns = ", ".join(
        f"'{'x' * 40}' as {c}" if c not in ("watchlist_rank", "arr", "arr_at_risk") else f"1 as {c}"
        for c in COLUMNS
    )
    con.execute(f"create table marts.satisfied_at_risk as select {columns} from range({accounts})")
    con.close()
    return path


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_closed_pipe_ends_quietly(tmp_path, fmt):
    warehouse = _warehouse(tmp_path / "w.duckdb", 5000)
    done = subprocess.run(
        f"{sys.executable} -m rapport.cli watchlist --warehouse {warehouse} --format {fmt} "
        "| head -n 2",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(done.stdout.splitlines()) == 2
    assert done.stderr == ""


def test_quarantine_of_no_installation_exits_2(tmp_path, capsys):
    assert main(["quarantine", "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_warehouse_in_a_missing_folder_is_an_error(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    warehouse = tmp_path / "typo" / "w.duckdb"
    code = main(["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(warehouse)])
    assert code == 2
    assert f"folder {tmp_path / 'typo'} (of --warehouse w.duckdb) does not exist" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "typo").exists()


def test_a_night_without_a_delivery_says_so_and_runs_nothing(tmp_path, capsys):
    landing = tmp_path / "landing"
    (landing / "crm" / "dt=2026-10-01").mkdir(parents=True)
    (landing / "crm" / "dt=2026-10-01" / "_SUCCESS").touch()
    (landing / "crm" / "dt=2026-10-02").mkdir()  # not complete
    for night in ("2026-10-02", "2026-10-03"):
        code = main(
            ["run", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb")]
            + ["--date", night]
        )
        assert code == 0
        assert capsys.readouterr().out.startswith(f"nothing was delivered for {night} in ")
    assert not (tmp_path / "lake").exists() and not (tmp_path / "w.duckdb").exists()


def test_generate_says_what_it_wrote_and_refuses_a_non_empty_landing(tmp_path, capsys):
    out = tmp_path / "landing"
    args = ["generate", "--out", str(out), "--accounts", "20", "--start", "2026-10-01"]
    assert main([*args, "--days", "2"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith(
        f"wrote 2 nights (2026-10-01 .. 2026-10-02) for 20 accounts to {out}: crm "
    )
    assert said[1] == f"true outcomes (never read by the pipeline): {tmp_path / 'labels.csv'}"

    assert main([*args, "--days", "1"]) == 2
    assert "already holds 6 deliveries" in capsys.readouterr().err
    assert (out / "crm" / "dt=2026-10-02" / "_SUCCESS").exists()

    assert main([*args, "--days", "1", "--overwrite"]) == 0
    assert sorted(p.name for p in (out / "crm").iterdir()) == ["dt=2026-10-01"]
    assert date(2026, 10, 1).isoformat() in capsys.readouterr().out


def _files(landing: Path) -> dict[str, bytes]:
    return {str(p.relative_to(landing)): p.read_bytes() for p in landing.rglob("*") if p.is_file()}


def test_generate_append_grows_a_landing_into_the_longer_one(tmp_path, capsys):
    args = ["--accounts", "30", "--start", "2026-10-01", "--seed", "4", "--horizon", "6"]
    args += ["--wording", "alt", "--encoding", "export"]
    grown, whole = tmp_path / "grown" / "landing", tmp_path / "whole" / "landing"
    assert main(["generate", "--out", str(grown), *args, "--days", "3"]) == 0
    capsys.readouterr()

    assert main(["generate", "--out", str(grown), *args, "--append", "2"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("wrote 2 nights (2026-10-04 .. 2026-10-05) for 30 accounts")
    assert main(["generate", "--out", str(whole), *args, "--days", "5"]) == 0
    # 3 nights, then 2 more, are the 5-night landing byte for byte, labels included
    assert _files(grown) == _files(whole)
    labels = (tmp_path / "grown" / "labels.csv").read_bytes()
    assert labels == (tmp_path / "whole" / "labels.csv").read_bytes()
    assert not list((tmp_path / "grown").glob(".append-*"))  # no scratch left behind


def test_generate_append_refuses_what_it_cannot_continue(tmp_path, capsys):
    out = tmp_path / "landing"
    args = ["generate", "--out", str(out), "--accounts", "20", "--seed", "3"]
    assert main([*args, "--append", "1", "--start", "2026-10-01"]) == 2
    assert f"--append: {out} holds no deliveries to append to" in capsys.readouterr().err
    assert main([*args, "--start", "2026-10-01", "--days", "2", "--horizon", "4"]) == 0
    before = _files(out)

    assert main([*args, "--start", "2026-10-02", "--append", "1", "--horizon", "4"]) == 2
    err = capsys.readouterr().err
    assert "the landing's first night is 2026-10-01, --start says 2026-10-02" in err
    assert main([*args, "--start", "2026-10-01", "--append", "3", "--horizon", "4"]) == 2
    assert "5 nights need --horizon 5 or more" in capsys.readouterr().err
    # another seed is another world: night 2 does not match, nothing is written
    other = ["generate", "--out", str(out), "--accounts", "20", "--seed", "8"]
    assert main([*other, "--start", "2026-10-01", "--append", "1", "--horizon", "4"]) == 2
    assert "crm/dt=2026-10-02 is not what these options generate" in capsys.readouterr().err
    assert _files(out) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["movers", "--limit", "-2"], "-2 must be a positive integer"),
        (["movers", "--rise", "-5"], "-5 must be 0 or more"),
        (["movers", "--days", "0"], "0 must be a positive integer"),
        (["watchlist", "--renewal-within", "-5"], "-5 must be 0 or more"),
        (["watchlist", "--limit", "ten"], "'ten' is not a whole number"),
    ],
)
def test_counts_and_days_are_checked_by_argparse(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_report_into_a_folder_names_the_mistake(tmp_path, capsys):
    from rapport.cli import main as library_main

    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    code = library_main(["report", "--warehouse", str(warehouse), "--out", str(tmp_path)])
    assert code == 2
    assert f"--out {tmp_path} is a folder: name the HTML file to write" in capsys.readouterr().err
