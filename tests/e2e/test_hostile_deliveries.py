"""Hostile deliveries through the real CLI (issue 11): every bad delivery gets a clear
verdict, no silent losses, no tracebacks, no way out of the landing.

One small installation is built once (a few generated nights whose account names try
formula and terminal injection); each test works on its own copy of it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.pipeline_helpers import Installation, generate

START = date(2026, 9, 1)
NIGHTS = [START + timedelta(days=i) for i in range(4)]
LAST = NIGHTS[-1]
# every current mart, and how to read it in a comparable order
CURRENT_MARTS = {
    "account_loyalty_risk": "account_id",
    "satisfied_at_risk": "account_id",
    "account_loyalty_signals": "account_id, signal",
    "owner_relationship_health": "owner_id",
    "attribution_coverage": "record_type, attributed_by, outcome",
    "account_defections": "account_id",
    "loyalty_backtest": "all",
}
NAME_TAIL = "\x1b[2J\x1b[31m"  # clear the screen, then paint it red


def _poison_names(landing: Path) -> None:
    """Account names that start a formula and end in terminal escapes, in every night."""
    for night in NIGHTS:
        folder = landing / "crm" / f"dt={night}"
        path = folder / "accounts.csv"
        text = path.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        name = rows[0].index("Name")
        for row in rows[1:]:
            row[name] = f'=HYPERLINK("http://x","{row[name]}"){NAME_TAIL}'
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        (folder / "_SUCCESS").touch()


def _marts(inst: Installation) -> dict[str, list[tuple]]:
    out = {}
    for table, order in CURRENT_MARTS.items():
        order_by = "all" if order == "all" else order
        out[table] = inst.serving_query(f"select * from marts.{table} order by {order_by}")
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    # 60 accounts: enough that the watchlist has rows whose hostile names the CLI must escape
    inst = generate(tmp_path_factory.mktemp("hostile"), 60, START, len(NIGHTS), 7)
    _poison_names(inst.landing)
    assert inst.run() == 0
    return inst


@pytest.fixture
def inst(built: Installation, tmp_path: Path) -> Installation:
    """A copy of the built installation (landing, lake, warehouse, Dagster instance)."""
    root = tmp_path / "copy"
    shutil.copytree(built.warehouse.parent, root, symlinks=True)
    return Installation(root / "landing", root / "warehouse.duckdb", root / "labels.csv")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- class 8, class 1: past nights, mistyped dates, retract ------------------------------


def test_current_marts_survive_past_nights_and_a_retracted_night_leaves_no_trace(
    inst: Installation, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clean = _marts(inst)
    assert all(clean[t] for t in ("account_loyalty_risk", "account_loyalty_signals"))

    # class 8: re-running an earlier night leaves every current mart on the latest night
    assert inst.run("--date", NIGHTS[1].isoformat(), "--force") == 0
    assert _marts(inst) == clean
    assert inst.serving_query("select max(as_of_date) from marts.account_loyalty_signals") == [
        (LAST,)
    ]

    # class 1 and 5: implausible dates, malformed names and a symlinked folder are refused,
    # each with one line naming it, and never loaded
    crm = inst.landing / "crm"
    shutil.copytree(crm / f"dt={LAST}", crm / "dt=2062-09-04")
    shutil.copytree(crm / f"dt={LAST}", crm / "dt=2019-09-04")
    (crm / "dt=2026-13-45").mkdir()
    (crm / "dt=2026-9-3").mkdir()
    outside = shutil.copytree(crm / f"dt={LAST}", tmp_path / "outside")
    (crm / "dt=2026-09-05").symlink_to(outside)
    serving = _digest(inst.warehouse)
    capsys.readouterr()

    assert inst.run() == 1

    out, err = capsys.readouterr()
    refused = sorted(line for line in err.splitlines() if line.startswith("rapport run: refused"))
    assert [line.split(":")[1].strip() for line in refused] == [
        "refused crm/dt=2019-09-04",
        "refused crm/dt=2026-09-05",
        "refused crm/dt=2026-13-45",
        "refused crm/dt=2026-9-3",
        "refused crm/dt=2062-09-04",
    ]
    assert "dated after the plausible window" in err and "symbolic link" in err
    assert "nothing to do" in out and _digest(inst.warehouse) == serving
    assert inst.run("--date", "2062-09-04") == 2
    assert "--date 2062-09-04 is dated after the plausible window" in capsys.readouterr().err
    for name in ("dt=2062-09-04", "dt=2019-09-04", "dt=2026-13-45", "dt=2026-9-3", "dt=2026-09-05"):
        p = crm / name
        p.unlink() if p.is_symlink() else shutil.rmtree(p)

    # a plausible but wrong night: loaded, then retracted; the marts equal the clean load
    wrong = LAST + timedelta(days=1)
    shutil.copytree(crm / f"dt={LAST}", crm / f"dt={wrong}")
    assert inst.run() == 0
    assert inst.serving_query("select as_of_date from rapport.publication") == [(wrong,)]
    capsys.readouterr()

    assert (
        main(
            [
                "retract",
                "--date",
                wrong.isoformat(),
                "--landing",
                str(inst.landing),
                "--warehouse",
                str(inst.warehouse),
            ]
        )
        == 0
    )

    assert f"retracted crm/dt={wrong}" in capsys.readouterr().out
    assert _marts(inst) == clean
    assert inst.serving_query("select as_of_date from rapport.publication") == [(LAST,)]
    assert not (inst.paths.lake / "raw" / "crm" / "accounts" / f"dt={wrong}").exists()
    capsys.readouterr()
    assert inst.run() == 0  # the folder is still there, unchanged: not loaded again
    assert "nothing to do" in capsys.readouterr().out


# --- class 2, 6, 7 and polish: gates, exports, locks, damaged state ----------------------


HOLD_LOCK = """
import sys, time
from pathlib import Path
from rapport.lake_lock import lake_lock
with lake_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_shrunken_replay_stops_the_night_and_the_cli_stays_safe(
    inst: Installation, capsys: pytest.CaptureFixture[str]
) -> None:
    wh = ["--warehouse", str(inst.warehouse)]

    # class 6: what people open: CSV cells never start a formula, the terminal sees no escape
    capsys.readouterr()
    assert main(["watchlist", *wh, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(r["account_name"].startswith("'=HYPERLINK(") for r in rows)
    assert main(["watchlist", *wh]) == 0
    table = capsys.readouterr().out
    assert "\x1b" not in table and "\\x1b[2J" in table
    assert main(["watchlist", *wh, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["account_name"].endswith(NAME_TAIL)

    # class 2: a replay of the last night with a third of a file stops the night, blocking
    folder = inst.landing / "crm" / f"dt={LAST}"
    biggest = max(folder.glob("*.csv"), key=lambda p: len(p.read_bytes().splitlines()))
    lines = biggest.read_bytes().splitlines(keepends=True)
    assert len(lines) > 4
    biggest.write_bytes(b"".join(lines[: len(lines) // 3]))
    (folder / "_SUCCESS").touch()
    serving = _digest(inst.warehouse)

    assert inst.run() == 1

    line = _one_line(capsys.readouterr().err)
    assert line.startswith("rapport run failed: step ingest_crm failed: crm gate failed: ")
    assert f"crm/dt={LAST}/{biggest.name}: this replay delivers" in line and "Dagster run" in line
    assert _digest(inst.warehouse) == serving

    # class 7: a second run on the same lake exits 2 naming the holder
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(inst.paths.lake)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert inst.run() == 2
        line = _one_line(capsys.readouterr().err)
        assert f"is in use by rapport run (pid {holder.pid}, since " in line
    finally:
        holder.kill()
        holder.wait()

    # polish: a truncated serving file is one line for readers, and republished by a run
    # (the replay is released first, so that nothing is pending)
    assert inst.run("--release") == 0
    assert "released: crm/dt=" in capsys.readouterr().out
    inst.warehouse.write_bytes(inst.warehouse.read_bytes()[:5000])
    assert main(["watchlist", *wh]) == 1
    assert "cannot be read" in _one_line(capsys.readouterr().err)
    assert inst.run() == 0
    assert "republished it from" in capsys.readouterr().out
    assert main(["watchlist", *wh]) == 0

    # polish: a lake path that is a file, a corrupt published.json: one line each
    lake_file = inst.warehouse.parent / "lake.file"
    lake_file.write_text("x")
    assert inst.run("--lake", str(lake_file)) == 2
    assert "is a file, not a folder" in _one_line(capsys.readouterr().err)
    published = inst.paths.lake / "state" / "published.json"
    published.write_text("{not json")
    assert inst.run() == 1
    assert "published.json cannot be read" in _one_line(capsys.readouterr().err)

    # polish: a corrupt manifest and raw partition; the documented repairs: delete
    # published.json, and `--force` loads the nights again (rewriting both)
    published.unlink()
    manifest = inst.paths.lake / "manifests" / "crm" / f"dt={LAST}.json"
    manifest.write_text('{"truncated": ')
    raw = inst.paths.lake / "raw" / "crm" / "accounts" / f"dt={LAST}" / "part-0.parquet"
    raw.write_bytes(raw.read_bytes()[:100])
    assert inst.run() == 1
    line = _one_line(capsys.readouterr().err)
    assert f"manifest {manifest} cannot be read" in line and "--force" in line

    assert inst.run("--force", "--release") == 0

    assert json.loads(manifest.read_text())["extract_date"] == LAST.isoformat()
    assert raw.stat().st_size > 100
    assert main(["watchlist", *wh]) == 0
