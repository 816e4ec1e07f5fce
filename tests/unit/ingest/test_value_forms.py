"""Every value form a real export can take loads and means the same (docs/extracts.md).
The range checks (NPS 11, alternatives 3) are the contract's, tested with the ingest."""

from datetime import datetime

import polars as pl
import pytest

from rapport.contract import get_object
from rapport.ingest.cast import check, raw_columns


def _typed(source: str, name: str, column: str, values: list[str | None]) -> pl.DataFrame:
    obj = get_object(source, name)
    frame = pl.DataFrame(
        {c.name: pl.Series([None] * len(values), dtype=pl.String) for c in obj.columns}
    ).with_columns(
        pl.Series(column, values, dtype=pl.String),
        pl.Series("_line", range(len(values)), dtype=pl.Int64),
        pl.lit(None, dtype=pl.String).alias("_fault"),
    )
    checked = check(frame.lazy(), obj).collect()
    raw = obj.column(column).raw
    return checked.select(*raw_columns(obj)).select(raw)


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
