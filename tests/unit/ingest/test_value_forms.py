"""Every value form a real export can take loads and means the same (docs/extracts.md).
The range checks (NPS 11, alternatives 3) are the contract's, tested with the ingest."""

from dataclasses import replace
from datetime import date, datetime

import polars as pl
import pytest

from rapport.contract import get_object
from rapport.ingest.cast import OK, check, raw_columns, reason_and_column


def _checked(source: str, name: str, column: str, values: list[str | None]) -> pl.DataFrame:
    obj = get_object(source, name)
    frame = pl.DataFrame(
        {c.name: pl.Series([None] * len(values), dtype=pl.String) for c in obj.columns}
    ).with_columns(
        pl.Series(column, values, dtype=pl.String),
        pl.Series("_line", range(len(values)), dtype=pl.Int64),
        pl.lit(None, dtype=pl.String).alias("_fault"),
    )
    return check(frame.lazy(), obj).collect()


def _typed(source: str, name: str, column: str, values: list[str | None]) -> pl.DataFrame:
    obj = get_object(source, name)
    checked = _checked(source, name, column, values)
    return checked.select(*raw_columns(obj)).select(obj.column(column).raw)


def _faults(source: str, name: str, column: str, values: list[str | None]) -> list[str | None]:
    """The reason each value is quarantined for (None: it loads), the other columns aside."""
    full = get_object(source, name)
    obj = replace(full, columns=(full.column(column),))
    frame = pl.DataFrame(
        {
            column: pl.Series(values, dtype=pl.String),
            "_line": range(len(values)),
            "_fault": pl.Series([None] * len(values), dtype=pl.String),
        }
    )
    reason, _ = reason_and_column(obj)
    checked = check(frame.lazy(), obj).with_columns(reason.alias("reason")).collect()
    return [None if ok else r for r, ok in checked.select("reason", OK).iter_rows()]


@pytest.mark.parametrize(
    "source,name,column",
    [
        ("surveys", "responses", "Finished"),
        ("crm", "accounts", "IsDeleted"),
        ("crm", "opportunities", "IsWon"),
    ],
)
def test_booleans_in_their_usual_spellings(source: str, name: str, column: str) -> None:
    trues = ["true", "TRUE", "True", "yes", "Yes", "Y", "y", "1", "t", "T", " true "]
    falses = ["false", "FALSE", "no", "NO", "n", "0", "f", "F", "False"]
    out = _typed(source, name, column, trues + falses + ["maybe", None])
    assert out[column].to_list() == [True] * len(trues) + [False] * len(falses) + [None, None]


def test_qualtrics_answers_as_recode_values_or_choice_text() -> None:
    alternatives = _typed(
        "surveys",
        "responses",
        "Q_ALTERNATIVES",
        ["1", "2", "Yes", "NO", "yes ", "No", "3", "perhaps"],
    )
    assert alternatives["Q_ALTERNATIVES"].to_list() == [1, 2, 1, 2, 1, 2, 3, None]

    nps = _typed(
        "surveys",
        "responses",
        "Q_NPS",
        ["9", "10 - Extremely likely", "0 - not at all likely", "EXTREMELY LIKELY", "11"],
    )
    assert nps["Q_NPS"].to_list() == [9, 10, 0, 10, 11]

    csat = _typed(
        "surveys",
        "responses",
        "Q_CSAT",
        [
            "4",
            "Very Satisfied",
            "very  dissatisfied",
            "Neither satisfied nor dissatisfied",
            "5 - Very satisfied",
            "Satisfied",
            "so-so",
        ],
    )
    assert csat["Q_CSAT"].to_list() == [4, 5, 1, 3, 5, 4, None]


def test_survey_stamps_in_qualtrics_shape_or_iso_with_an_offset() -> None:
    recorded = _typed(
        "surveys",
        "responses",
        "RecordedDate",
        [
            "2026-11-22 14:03:07",  # the legacy export's own shape, UTC
            "2026-11-22T14:03:07Z",
            "2026-11-22T16:03:07.500+02:00",
            "2026-11-22T14:03:07",  # ISO with no offset: which zone? refused
        ],
    )
    assert recorded["RecordedDate"].to_list() == [
        datetime(2026, 11, 22, 14, 3, 7),
        datetime(2026, 11, 22, 14, 3, 7),
        datetime(2026, 11, 22, 14, 3, 7, 500000),
        None,
    ]


@pytest.mark.parametrize(
    "source,name,column,values,expected",
    [
        (
            "support",
            "tickets",
            "status",
            ["solved", "Solved", " CLOSED ", "On hold", None],
            ["solved", "solved", "closed", None, None],
        ),
        (
            "crm",
            "accounts",
            "Type",
            ["Customer", "customer", "former  customer", "FORMER CUSTOMER", "Partner"],
            ["Customer", "Customer", "Former Customer", "Former Customer", None],
        ),
        (
            "crm",
            "contacts",
            "Relationship_Role__c",
            ["economic buyer", "Executive Sponsor", "user"],
            ["Economic Buyer", "Executive Sponsor", "User"],
        ),
    ],
)
def test_listed_values_in_any_case_and_spacing_take_the_contracts_spelling(
    source: str, name: str, column: str, values: list, expected: list
) -> None:
    assert _typed(source, name, column, values)[column].to_list() == expected


def test_integers_written_as_whole_floats_are_integers() -> None:
    ids = _typed(
        "support", "tickets", "requester_id", ["501", "501.0", " 7 ", "-3.00", "501.5", "1e3"]
    )
    assert ids["requester_id"].to_list() == [501, 501, 7, -3, None, None]


def test_dates_written_as_midnight_or_with_blanks_are_dates() -> None:
    close = _typed(
        "crm",
        "opportunities",
        "CloseDate",
        [
            "2026-11-22",
            " 2026-11-22 ",
            "2026-11-22T00:00:00.000+0000",  # an exporter that keeps dates as datetimes
            "2026-11-22 00:00:00",
            "2026-11-22T00:00:00Z",
            "2026-11-22T13:00:00.000+0000",  # a time of day in a date: which day? refused
            "11/22/2026",  # month or day first? refused
        ],
    )
    day = date(2026, 11, 22)
    assert close["CloseDate"].to_list() == [day] * 5 + [None, None]


def test_numbers_and_stamps_with_surrounding_blanks_load() -> None:
    arr = _typed("crm", "accounts", "ARR__c", [" 1200.5 ", "1e5", "1,200", "$1200"])
    assert arr["ARR__c"].to_list() == [1200.5, 100000.0, None, None]
    stamp = _typed("support", "tickets", "created_at", [" 2026-11-22T14:03:07Z "])
    assert stamp["created_at"].to_list() == [datetime(2026, 11, 22, 14, 3, 7)]


def test_a_typed_value_of_only_blanks_is_empty() -> None:
    """Blank like an empty field: null where the column is optional, "required" where not;
    a value that is there but unreadable still names itself."""
    assert _typed("crm", "opportunities", "CloseDate", ["  "])["CloseDate"].to_list() == [None]
    assert _faults("crm", "opportunities", "Amount", ["  ", "12,5"]) == [
        None,
        "Amount: '12,5' is not a finite number",
    ]
    assert _faults("crm", "accounts", "Type", [" ", "Partner"]) == [
        None,
        "Type: 'Partner' is not one of Customer, Prospect, Former Customer",
    ]
    assert _faults("crm", "accounts", "LastModifiedDate", ["   "]) == [
        "LastModifiedDate is required"
    ]


def test_identifiers_are_read_without_surrounding_blanks() -> None:
    """` 001A` (an export written with a space after each comma) is the account `001A`, so
    its rows join; a key of only blanks is no key."""
    ids = _typed("crm", "contacts", "AccountId", [" 001A", "001A ", "\t001A", "001 A", "  ", None])
    assert ids["AccountId"].to_list() == ["001A", "001A", "001A", "001 A", None, None]
    embedded = _typed("surveys", "responses", "account_id", [" 001A "])
    assert embedded["account_id"].to_list() == ["001A"]
    assert _faults("crm", "accounts", "Id", [" 001A ", "   ", ""]) == [
        None,
        "Id is required",
        "Id is required",
    ]


def test_free_text_keeps_its_blanks() -> None:
    names = _typed("crm", "accounts", "Name", ["  Acme  "])
    assert names["Name"].to_list() == ["  Acme  "]


def test_a_leap_second_stays_on_its_own_day() -> None:
    """`23:59:60` (a leap second, as ISO 8601 allows) is the last instant of its day, never
    the next day's midnight: the record stays on the night it was written for."""
    recorded = _typed(
        "surveys",
        "responses",
        "RecordedDate",
        ["2016-12-31 23:59:60", "2016-12-31T23:59:60Z", "2017-01-01T00:59:60+01:00"],
    )
    last_instant = datetime(2016, 12, 31, 23, 59, 59, 999999)
    assert recorded["RecordedDate"].to_list() == [last_instant] * 3
    crm = _typed("crm", "accounts", "LastModifiedDate", ["2016-12-31T23:59:60.000+0000"])
    assert crm["LastModifiedDate"].to_list() == [last_instant]


def test_a_15_character_salesforce_id_is_its_18_character_form() -> None:
    """Reports and page addresses show Salesforce ids in 15 case-sensitive characters, the API
    and Data Loader in 18 case-safe ones: a survey's `account_id` or a Zendesk `external_id`
    typed from one, and a CRM export in the other, name the same account and join."""
    accounts = _typed(
        "crm",
        "accounts",
        "Id",
        ["001A0000006Vm9r", "001A0000006Vm9rIAC", " 0015g0000000004 ", "ZZZZZZZZZZZZZZZ"],
    )
    assert accounts["Id"].to_list() == [
        "001A0000006Vm9rIAC",
        "001A0000006Vm9rIAC",
        "0015g0000000004AAA",
        "ZZZZZZZZZZZZZZZ555",
    ]
    embedded = _typed(
        "surveys", "responses", "account_id", ["001A0000006Vm9r", "001A", "A-15-chars-long"]
    )
    assert embedded["account_id"].to_list() == ["001A0000006Vm9rIAC", "001A", "A-15-chars-long"]
    org = _typed("support", "organizations", "external_id", ["001A0000006Vm9r"])
    assert org["external_id"].to_list() == ["001A0000006Vm9rIAC"]
    # a Qualtrics ResponseId is no Salesforce id: kept as written
    response = _typed("surveys", "responses", "ResponseId", ["R_1a2B3c4D5e6F7g"])
    assert response["ResponseId"].to_list() == ["R_1a2B3c4D5e6F7g"]
