"""Whole-file verdicts that say what is wrong, and the state files' one-line errors
(issue 11, "handled, but unclear", and the replay gate of class 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.deliveries import gate_problems
from rapport.ingest import ingest_delivery, ingest_object
from rapport.ingest.lake import read_manifests
from rapport.quality_gate import GateRule
from rapport.state_errors import UnreadableState
from tests.unit.ingest.hostile_files import (
    ACCOUNTS,
    ACCOUNTS_HEADER,
    ORGS,
    RESPONSES,
    D,
    account_line,
    accounts,
    deliver,
)

RULE = GateRule()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b"", b"\n\n"])
@pytest.mark.parametrize("obj", [ACCOUNTS, RESPONSES], ids=["crm", "qualtrics"])
def test_a_bom_only_or_blank_csv_is_empty_not_missing_columns(
    landing: Path, lake: Path, data: bytes, obj
) -> None:
    deliver(landing, obj, data)
    assert ingest_object(landing, lake, obj, D).rejected == "file is empty: it has no header row"


def test_a_bom_only_json_lines_file_holds_no_rows(landing: Path, lake: Path) -> None:
    deliver(landing, ORGS, b"\xef\xbb\xbf")
    load = ingest_object(landing, lake, ORGS, D)
    assert load.ok and load.rows_read == 0


@pytest.mark.parametrize(("sep", "word"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_another_delimiter_is_named(landing: Path, lake: Path, sep: str, word: str) -> None:
    deliver(landing, ACCOUNTS, (ACCOUNTS_HEADER + account_line(1)).replace(",", sep).encode())
    load = ingest_object(landing, lake, ACCOUNTS, D)
    assert load.rejected == (
        f"the header is one column holding {word}s: the file looks {word}-delimited, "
        "the contract's delimiter is a comma"
    )
    assert load.rows_read == 1


def test_a_replay_with_markedly_fewer_rows_stops_the_night(landing: Path, lake: Path) -> None:
    deliver(landing, ACCOUNTS, accounts(*(account_line(i) for i in range(10))))
    ingest_delivery(landing, lake, "crm", D)
    assert gate_problems(lake, "crm", [D], RULE, max_replay_drop=0.5) == []

    deliver(landing, ACCOUNTS, accounts(*(account_line(i) for i in range(4))))  # cut short
    ingest_delivery(landing, lake, "crm", D)
    problems = gate_problems(lake, "crm", [D], RULE, max_replay_drop=0.5)
    assert problems == [
        "crm/dt=2026-09-01/accounts.csv: this replay delivers 4 rows, the delivery it replaces "
        "held 10 (a drop over 50%, [landing] max_replay_drop)"
    ]
    assert gate_problems(lake, "crm", [D], RULE, max_replay_drop=0.7) == []

    ingest_delivery(landing, lake, "crm", D)  # loading the same short replay again
    assert gate_problems(lake, "crm", [D], RULE, max_replay_drop=0.5) == problems
    deliver(landing, ACCOUNTS, accounts(*(account_line(i) for i in range(9))))  # corrected
    ingest_delivery(landing, lake, "crm", D)
    assert gate_problems(lake, "crm", [D], RULE, max_replay_drop=0.5) == []


def test_a_rejected_file_is_no_baseline_for_the_replay_that_corrects_it(
    landing: Path, lake: Path
) -> None:
    deliver(landing, ACCOUNTS, accounts(account_line(1), account_line(2)).replace(b",", b";"))
    assert ingest_delivery(landing, lake, "crm", D)[0].rejected  # 1 record counted, refused
    deliver(landing, ACCOUNTS, accounts())  # corrected: an empty delivery of the night
    ingest_delivery(landing, lake, "crm", D)
    assert gate_problems(lake, "crm", [D], RULE, max_replay_drop=0.5) == []


def test_a_corrupt_manifest_is_one_line_naming_it_and_its_repair(landing: Path, lake: Path) -> None:
    deliver(landing, ACCOUNTS, accounts(account_line(1)))
    ingest_delivery(landing, lake, "crm", D)
    manifest = lake / "manifests" / "crm" / f"dt={D}.json"
    manifest.write_text('{"extract_date": ')

    with pytest.raises(UnreadableState) as e:
        read_manifests(lake, "crm")
    assert "\n" not in str(e.value)
    assert str(e.value).startswith(f"manifest {manifest} cannot be read (JSONDecodeError")
    assert str(e.value).endswith(
        f"`rapport run --force --date {D}` loads the night again and rewrites it"
    )
    ingest_delivery(landing, lake, "crm", D)  # what --force does: the night is loaded again
    assert read_manifests(lake, "crm")[D]["objects"]["accounts"]["rows_read"] == 1
