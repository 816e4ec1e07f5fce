"""Bad input and gates: quarantine, rejected files, blocking expectations, release and replay.
The serving warehouse keeps the last good night whenever a gate fails."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipelines.cli import main
from rapport.ingest import loaded_deliveries
from tests.landing_builder import account, owner, sf, write_delivery
from tests.pipeline_helpers import BuiltStates, Installation

N1, N2, N3, N4 = (date(2026, 9, 1) + timedelta(days=i) for i in range(4))


def response(rid: str, recorded: date, nps: str, csat: str = "4") -> dict[str, object]:
    stamp = f"{recorded.isoformat()} 10:00:00"
    return {
        "StartDate": stamp,
        "EndDate": stamp,
        "Status": "IP Address",
        "Progress": "100",
        "Duration (in seconds)": "60",
        "Finished": "1",
        "RecordedDate": stamp,
        "ResponseId": rid,
        "RecipientEmail": "x@example.com",
        "ExternalReference": "",
        "DistributionChannel": "email",
        "UserLanguage": "EN",
        "Q_NPS": nps,
        "Q_CSAT": csat,
        "Q_ALTERNATIVES": "2",
        "Q_COMMENT": "fine",
        "account_id": "A",
    }


def published_night(inst: Installation) -> date:
    return inst.serving_query("select as_of_date from rapport.publication")[0][0]


def _first_night(inst: Installation) -> None:
    """N1: one account, one response, published."""
    write_delivery(
        inst.landing,
        "crm",
        N1,
        {"users": [owner(sf(N1))], "accounts": [account("A", "Alpha", sf(N1))]},
    )
    write_delivery(inst.landing, "support", N1)
    write_delivery(inst.landing, "surveys", N1, {"responses": [response("R1", N1, "9")]})
    assert inst.run() == 0


def _deliver_bad_rows(inst: Installation) -> None:
    """N2: surveys with three bad rows of four (over the quarantine gate)."""
    write_delivery(inst.landing, "crm", N2)
    write_delivery(inst.landing, "support", N2)
    write_delivery(
        inst.landing,
        "surveys",
        N2,
        {
            "responses": [
                response("R2", N2, "11"),
                response("R3", N2, "ten"),
                response("R4", N2, "8", csat="0"),
                response("R5", N2, "10"),
            ]
        },
    )


@pytest.fixture
def inst(built_states: BuiltStates, tmp_path: Path) -> Installation:
    """N1 published."""
    return built_states.copy("bad_n1", _first_night, tmp_path / "inst")


def _stopped(built_states: BuiltStates, into: Path) -> Installation:
    def bad_rows_stopped(inst: Installation) -> None:
        built_states.copy("bad_n1", _first_night, inst.landing.parent)
        _deliver_bad_rows(inst)
        assert inst.run() == 1

    return built_states.copy("bad_n2_stopped", bad_rows_stopped, into)


@pytest.fixture
def stopped(built_states: BuiltStates, tmp_path: Path) -> Installation:
    """N1 published, N2's bad rows stopped the night."""
    return _stopped(built_states, tmp_path / "inst")


@pytest.fixture
def released(built_states: BuiltStates, tmp_path: Path) -> Installation:
    """N2 released and published despite its bad rows."""

    def bad_rows_released(inst: Installation) -> None:
        _stopped(built_states, inst.landing.parent)
        assert inst.run("--release") == 0

    return built_states.copy("bad_n2_released", bad_rows_released, tmp_path / "inst")


def test_bad_rows_are_quarantined_and_stop_the_night(inst: Installation, capsys):
    _deliver_bad_rows(inst)
    capsys.readouterr()
    assert inst.run() == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("rapport run failed: step ingest_surveys failed: surveys gate failed: ")
    assert "surveys/dt=2026-09-02/responses.csv: 3 of 4 rows quarantined (more than 5%)" in err
    assert published_night(inst) == N1  # yesterday's good warehouse still serves

    record = loaded_deliveries(inst.paths.lake, "surveys")[N2]["objects"]["responses"]
    assert (record["rows_read"], record["rows_loaded"], record["rows_quarantined"]) == (
        4,
        1,
        3,
    )

    assert (
        main(
            [
                "quarantine",
                "--warehouse",
                str(inst.warehouse),
                "--date",
                N2.isoformat(),
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "source": "surveys",
            "extract_date": "2026-09-02",
            "file": "surveys/dt=2026-09-02/responses.csv",
            "line": 4,
            "column": "Q_NPS",
            "reason": "Q_NPS: '11' is above the maximum 10",
        },
        {
            "source": "surveys",
            "extract_date": "2026-09-02",
            "file": "surveys/dt=2026-09-02/responses.csv",
            "line": 5,
            "column": "Q_NPS",
            "reason": "Q_NPS: 'ten' is not a number or one of not at all likely, extremely likely",
        },
        {
            "source": "surveys",
            "extract_date": "2026-09-02",
            "file": "surveys/dt=2026-09-02/responses.csv",
            "line": 6,
            "column": "Q_CSAT",
            "reason": "Q_CSAT: '0' is below the minimum 1",
        },
    ]


def test_a_rerun_fails_the_same_way_until_released(stopped: Installation, capsys):
    inst = stopped
    assert inst.run() == 1
    assert "surveys gate failed" in capsys.readouterr().err
    assert inst.run("--release") == 0
    assert published_night(inst) == N2
    assert inst.serving_query(
        "select count(*) from marts.account_loyalty_risk where as_of_date = '2026-09-02'"
    ) == [(1,)]


def test_a_rejected_file_stops_publishing_but_other_sources_load(released: Installation, capsys):
    inst = released
    write_delivery(inst.landing, "crm", N3, {"accounts": [account("A", "Alpha 3", sf(N3))]})
    write_delivery(inst.landing, "surveys", N3)
    folder = write_delivery(inst.landing, "support", N3)
    (folder / "tickets.jsonl").write_bytes(b'{"id": 1, "subject": "caf\xe9"}\n')
    (folder / "_SUCCESS").touch()  # the marker last: a file newer than it is incomplete
    capsys.readouterr()
    assert inst.run() == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert (
        "support gate failed: support/dt=2026-09-03/tickets.jsonl rejected: file is not UTF-8"
        in err
    )
    assert published_night(inst) == N2
    lake = inst.paths.lake
    assert (lake / "raw" / "crm" / "accounts" / f"dt={N3}" / "part-0.parquet").exists()
    assert not (lake / "raw" / "support" / "tickets" / f"dt={N3}").exists()
    # the corrected delivery replaces the night and publishes
    (folder / "tickets.jsonl").write_bytes(b"")
    (folder / "_SUCCESS").touch()
    assert inst.run() == 0
    assert published_night(inst) == N3
    assert inst.serving_query("select account_name from marts.account_loyalty_risk") == [
        ("Alpha 3",)
    ]


def test_a_failed_blocking_expectation_stops_the_night(released: Installation, capsys):
    inst = released
    future = sf(N4 + timedelta(days=30))
    write_delivery(inst.landing, "crm", N4, {"accounts": [account("A", "Alpha future", future)]})
    write_delivery(inst.landing, "support", N4)
    write_delivery(inst.landing, "surveys", N4)
    capsys.readouterr()
    assert inst.run() == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    # the verdict names the object, the night, the column and the rule, not only "failed"
    assert "the contract checks stopped the night: raw/crm/accounts contract_suite" in err
    assert f"{N4}: crm.accounts LastModifiedDate after the extract date" in err
    assert "(line 2)" in err
    assert published_night(inst) == N2  # the last good night stays published


def test_a_failed_warn_test_publishes_and_is_named(inst: Installation, capsys):
    """An answer naming an account the CRM never delivered fails a dbt test of severity warn:
    the night publishes, and `rapport run` names the model, the test and the rows failing; so
    does a task for such an account. An answer naming a CRM account by its 15-character id is that account's."""
    orphan_task = {
        "Id": "00T9",
        "AccountId": "001NOTINCRM",
        "Subject": "Call",
        "Type": "Call",
        "Status": "Completed",
        "ActivityDate": N2.isoformat(),
        "CreatedDate": sf(N2),
        "LastModifiedDate": sf(N2),
        "IsDeleted": "false",
    }
    crm = {"accounts": [account("001A0000006Vm9rIAC", "Beta", sf(N2))], "tasks": [orphan_task]}
    write_delivery(inst.landing, "crm", N2, crm)
    write_delivery(inst.landing, "support", N2)
    stranger = {**response("R9", N2, "3"), "account_id": "001NOTINCRM"}
    short_id = {**response("R10", N2, "9"), "account_id": "001A0000006Vm9r"}
    write_delivery(inst.landing, "surveys", N2, {"responses": [stranger, short_id]})
    capsys.readouterr()
    assert inst.run() == 0
    out = capsys.readouterr().out
    assert (
        "warning: intermediate/int_responses_attributed "
        "relationships_int_responses_attributed_account_id__account_id__ref_stg_crm__accounts_: "
        "1 rows fail this dbt test (severity warn)"
    ) in out
    assert (
        "warning: staging/stg_crm__tasks "
        "relationships_stg_crm__tasks_account_id__account_id__ref_stg_crm__accounts_: "
        "1 rows fail this dbt test (severity warn)"
    ) in out
    assert published_night(inst) == N2
    attributed = inst.build_query(
        "select account_id, attributed_by from intermediate.int_responses_attributed "
        "where response_id = 'R10'"
    )
    assert attributed == [("001A0000006Vm9rIAC", "embedded_account_id")]
    # the published count of what speaks for no known account, with the id to look up
    unknown = inst.serving_query(
        "select records, example_record_ids from marts.attribution_coverage "
        "where record_type = 'survey_response' and outcome = 'unknown_account'"
    )
    assert unknown == [(1, "R9")]
