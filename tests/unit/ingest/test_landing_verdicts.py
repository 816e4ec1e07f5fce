"""The landing cannot reach outside itself, and every folder that looks like a delivery gets
a verdict: read, or refused with a reason (issue 11, classes 1, 2 and 5)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from rapport.config import LandingConfig
from rapport.ingest import ingest_delivery, ingest_object
from rapport.ingest.landing import delivery_fingerprint, scan_deliveries
from rapport.ingest.results import IngestError
from rapport.lake import PART, QUARANTINE, Lake
from rapport.nights import EARLIEST_NIGHT, night_window
from tests.landing_builder import write_delivery
from tests.unit.ingest.hostile_files import ACCOUNTS, D, account_line, accounts, deliver

TODAY = date(2026, 11, 30)


def window(lake: Path, **config: int):
    return night_window(lake, LandingConfig(**config), today=TODAY)


# --- class 1: delivery dates --------------------------------------------------------------


def test_a_mistyped_year_and_malformed_names_are_refused_with_the_folder_named(
    landing: Path, lake: Path
) -> None:
    for night in (D, date(2062, 9, 1), TODAY + timedelta(days=1), TODAY + timedelta(days=2)):
        write_delivery(landing, "crm", night)
    for name in ("dt=2026-13-45", "dt=2026-9-3", "2026-09-04", "dt=2026-09-05.bak"):
        (landing / "crm" / name).mkdir()
    (landing / "crm" / ".uploading").mkdir()  # hidden: not a delivery, not reported

    found, refused = scan_deliveries(landing, "crm", window(lake))

    assert found == [D, TODAY + timedelta(days=1)]
    lines = [r.line() for r in refused]
    assert lines == [
        "crm/2026-09-04: is not a delivery folder name: expected dt=YYYY-MM-DD",
        "crm/dt=2026-09-05.bak: is not a delivery folder name: expected dt=YYYY-MM-DD",
        "crm/dt=2026-12-02: dated after the plausible window (latest 2026-12-01: today (UTC) + "
        "1 day(s), [landing] max_days_ahead)",
        "crm/dt=2026-13-45: 2026-13-45 is not a date: expected dt=YYYY-MM-DD",
        "crm/dt=2026-9-3: is not a delivery folder name: expected dt=YYYY-MM-DD",
        "crm/dt=2062-09-01: dated after the plausible window (latest 2026-12-01: today (UTC) + "
        "1 day(s), [landing] max_days_ahead)",
    ]


def test_a_night_long_before_the_installation_s_first_night_is_refused(
    landing: Path, lake: Path
) -> None:
    write_delivery(landing, "crm", D)
    ingest_delivery(landing, lake, "crm", D)  # the installation's first night
    early = D - timedelta(days=31)
    write_delivery(landing, "crm", early)
    write_delivery(landing, "crm", date(2019, 12, 31))

    assert scan_deliveries(landing, "crm", window(lake, max_days_before_first=60))[0] == [early, D]
    found, refused = scan_deliveries(landing, "crm", window(lake, max_days_before_first=30))

    assert found == [D]
    assert [r.folder for r in refused] == ["crm/dt=2019-12-31", f"crm/dt={early}"]
    assert "first loaded night 2026-09-01 - 30 days" in refused[1].reason


def test_without_history_the_window_starts_at_the_earliest_night(lake: Path) -> None:
    w = window(lake)
    assert w.earliest == EARLIEST_NIGHT
    assert w.refusal(EARLIEST_NIGHT - timedelta(days=1)) is not None
    assert w.refusal(EARLIEST_NIGHT) is None


# --- class 2: a file modified after _SUCCESS ----------------------------------------------


def test_a_file_written_after_success_makes_the_delivery_incomplete(
    landing: Path, lake: Path
) -> None:
    folder = deliver(landing, ACCOUNTS, accounts(account_line(1), account_line(2)))
    marker = (folder / "_SUCCESS").stat()
    half = accounts(account_line(1))  # a replay cut in half, the old _SUCCESS still there
    (folder / ACCOUNTS.filename).write_bytes(half)
    os.utime(folder / ACCOUNTS.filename, ns=(marker.st_atime_ns, marker.st_mtime_ns + 1000))

    found, refused = scan_deliveries(landing, "crm", window(lake))

    assert found == []
    assert refused[0].line() == (
        "crm/dt=2026-09-01: incomplete: accounts.csv was modified after _SUCCESS "
        "(write _SUCCESS again once the delivery is complete); not read"
    )
    with pytest.raises(IngestError, match="modified after _SUCCESS"):
        ingest_delivery(landing, lake, "crm", D)
    (folder / "_SUCCESS").touch()  # the sender finishes: the delivery is complete again
    assert scan_deliveries(landing, "crm", window(lake))[0] == [D]


# --- class 5: the landing cannot reach outside itself -------------------------------------


@pytest.mark.parametrize("kind", ["symlink-outside", "symlink-inside", "fifo", "directory"])
def test_only_regular_files_inside_the_landing_are_read(
    landing: Path, lake: Path, tmp_path: Path, kind: str
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_bytes(accounts(account_line(1, name="SECRET")))
    folder = deliver(landing, ACCOUNTS, accounts(account_line(1)))
    target = folder / ACCOUNTS.filename
    sibling = folder / "copy.csv"
    target.rename(sibling)
    reason = {
        "symlink-outside": "is a symbolic link: only regular files inside the landing are read",
        "symlink-inside": "is a symbolic link: only regular files inside the landing are read",
        "fifo": "is not a regular file (a device, FIFO or socket): it is not read",
        "directory": "is a directory, not a file",
    }[kind]
    if kind == "symlink-outside":
        target.symlink_to(secret)
    elif kind == "symlink-inside":
        target.symlink_to(sibling)
    elif kind == "fifo":
        os.mkfifo(target)  # opening it would block forever
    else:
        target.mkdir()
    os.utime(folder / "_SUCCESS")

    load = ingest_object(landing, lake, ACCOUNTS, D)

    assert load.rejected == reason and load.rows_read == 0 and load.sha256 is None
    delivery_fingerprint(landing, "crm", D)  # returns without opening it (a FIFO would block)
    quarantined = (Lake(lake).partition(QUARANTINE, ACCOUNTS, D) / PART).read_bytes()
    assert b"SECRET" not in quarantined
    assert not any(b"SECRET" in p.read_bytes() for p in lake.rglob("*") if p.is_file())


def test_a_symlinked_delivery_folder_or_source_folder_is_refused(
    landing: Path, lake: Path, tmp_path: Path
) -> None:
    elsewhere = write_delivery(tmp_path / "elsewhere", "crm", D)
    (landing / "crm").mkdir()
    (landing / "crm" / f"dt={D + timedelta(days=1)}").symlink_to(elsewhere)
    (landing / "support").symlink_to(tmp_path / "elsewhere" / "crm")

    found, refused = scan_deliveries(landing, "crm", window(lake))
    assert found == [] and "symbolic link" in refused[0].reason
    found, refused = scan_deliveries(landing, "support", window(lake))
    assert found == [] and refused[0].folder == "support"


def test_a_night_loaded_before_the_window_existed_is_reported_with_its_repair(
    tmp_path: Path,
) -> None:
    from rapport.paths import Paths
    from rapport.pending import landing_refusals

    paths = Paths.resolve(tmp_path / "warehouse.duckdb", landing=tmp_path / "landing")
    future = date(2062, 9, 1)
    write_delivery(paths.landing, "crm", future)
    ingest_delivery(paths.landing, paths.lake, "crm", future)  # as an older Rapport did

    lines = [r.line() for r in landing_refusals(paths)]

    assert "crm/dt=2062-09-01: dated after the plausible window" in lines[0]
    assert lines[1].startswith("crm/dt=2062-09-01: is loaded but dated after the plausible")
    assert lines[1].endswith("take it out with `rapport retract --date 2062-09-01`")


# --- folders Rapport may not enter --------------------------------------------------------

_SCAN = """
import sys
from pathlib import Path
from rapport.ingest.landing import scan_deliveries
found, refused = scan_deliveries(Path(sys.argv[1]), sys.argv[2])
print([str(d) for d in found])
print([r.line() for r in refused])
"""


def _scan_as_another_user(landing: Path, source: str) -> list[str]:
    """scan_deliveries in a process that permissions apply to: root reads any folder, so as
    root it runs as the user nobody (setpriv, util-linux)."""
    import subprocess
    import sys

    command = [sys.executable, "-c", _SCAN, str(landing), source]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr  # never a traceback
    return done.stdout.splitlines()


@pytest.fixture
def shared_landing() -> Iterator[Path]:
    """A landing another user may enter (pytest's tmp_path is private to its owner)."""
    import shutil
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="rapport-landing-"))
    top.chmod(0o755)
    yield top / "landing"
    for folder in top.rglob("*"):
        if folder.is_dir():
            folder.chmod(0o755)
    shutil.rmtree(top)


def test_a_folder_that_cannot_be_read_is_refused_with_the_reason(shared_landing: Path) -> None:
    landing = shared_landing
    for night in (D, D + timedelta(days=1)):
        write_delivery(landing, "crm", night)
    write_delivery(landing, "support", D)
    for folder in landing.rglob("*"):
        if folder.is_dir():
            folder.chmod(0o755)
    landing.chmod(0o755)
    locked = landing / "crm" / f"dt={D + timedelta(days=1)}"
    locked.chmod(0o000)
    (landing / "support").chmod(0o000)

    crm = _scan_as_another_user(landing, "crm")
    support = _scan_as_another_user(landing, "support")

    later = D + timedelta(days=1)
    assert crm == [f"['{D}']", f"['crm/dt={later}: cannot be read: Permission denied']"]
    assert support == ["[]", "['support: cannot be read: Permission denied']"]
