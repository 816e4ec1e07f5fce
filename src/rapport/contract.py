"""The extract contract as data: what each source object delivers and how it is typed.

This module is the single description of the contract (docs/extracts.md) that the
ingest, the quality suites and the demo generator share. A column's ``name`` is the
source system's own; ``raw_name`` is its name in the raw zone (only nested or
non-identifier names change there).

It also holds, once, how a contract kind is typed in each engine the project uses
(`POLARS_TYPES`, `PANDAS_DTYPES`, `DUCKDB_TYPES`) and the lineage columns every raw row carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import polars as pl

Kind = Literal["string", "int", "float", "bool", "date", "datetime", "string_list"]
Fmt = Literal["csv", "qualtrics_csv", "jsonl"]

SOURCES = ("crm", "support", "surveys")

#: The columns the ingest adds to every raw row: where it came from.
LINEAGE: dict[str, Kind] = {
    "_source": "string",
    "_object": "string",
    "_extract_date": "date",
    "_file": "string",
    "_line": "int",  # the row's line in the landing file
}
LINEAGE_COLUMNS = tuple(LINEAGE)

#: A kind as a polars type: the raw zone's Parquet types.
POLARS_TYPES: dict[Kind, pl.DataType] = {
    "string": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "string_list": pl.List(pl.String()),
}

#: A kind as the pandas dtype GX sees once a raw partition is converted by
#: `rapport.quality.prepare.to_pandas` (Arrow-backed, except dates; no name for lists).
PANDAS_DTYPES: dict[Kind, str] = {
    "string": "large_string[pyarrow]",
    "int": "int64[pyarrow]",
    "float": "double[pyarrow]",
    "bool": "bool[pyarrow]",
    "date": "datetime64[ms]",
    "datetime": "timestamp[us][pyarrow]",
}

#: A kind as DuckDB types the raw zone's Parquet when dbt-duckdb reads it.
DUCKDB_TYPES: dict[Kind, str] = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "string_list": "VARCHAR[]",
}
#: Every decimal number must be finite and no larger than this in magnitude (an ARR of 1.7e308
#: would overflow to infinity in the scores); a larger one is a row fault.
MAX_MAGNITUDE = 1e15
#: Every date and datetime must fall in this range (first and last day included); a
#: renewal dated 0000-01-01 or 9999-12-31 is a row fault, not a value.
DATE_RANGE = (date(1900, 1, 1), date(2199, 12, 31))


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "string"
    required: bool = False  # a null makes the row invalid (goes to quarantine)
    values: tuple[str, ...] | None = None  # allowed values when not null
    low: float | None = None
    high: float | None = None
    path: tuple[str, ...] | None = None  # JSON path for nested support fields
    raw_name: str | None = None
    # survey answers: the choice texts (lower case) and the recode value each stands for
    choices: tuple[tuple[str, int], ...] | None = None
    # a record's key or a reference to one: read without surrounding blanks (` 001A` is
    # `001A`), and only blanks is empty (docs/extracts.md, "Value forms")
    identifier: bool = False
    # a Salesforce record id or a reference to one: a 15-character id is read as its
    # 18-character case-safe form, so both forms of one record join
    salesforce_id: bool = False

    @property
    def raw(self) -> str:
        return self.raw_name or self.name


@dataclass(frozen=True)
class SourceObject:
    source: str
    name: str
    fmt: Fmt
    columns: tuple[Column, ...]
    key: str  # raw name of the record key
    stamp: str  # raw name of the modification stamp (latest wins)
    ext: str = field(default="csv")

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.ext}"

    @property
    def qualified(self) -> str:
        return f"{self.source}.{self.name}"

    def column(self, raw_name: str) -> Column:
        return next(c for c in self.columns if c.raw == raw_name)


def _c(name: str, kind: Kind = "string", **kw) -> Column:
    return Column(name, kind, **kw)


def _id(name: str, **kw) -> Column:
    """A text identifier: a survey id, or a reference to one."""
    return Column(name, "string", identifier=True, **kw)


def _sf_id(name: str, **kw) -> Column:
    """A Salesforce record id (the CRM's), or a reference to one from any source."""
    return Column(name, "string", identifier=True, salesforce_id=True, **kw)


_DELETED = _c("IsDeleted", "bool")
_CREATED = _c("CreatedDate", "datetime")
_MODIFIED = _c("LastModifiedDate", "datetime", required=True)

CRM = (
    SourceObject(
        "crm",
        "accounts",
        "csv",
        (
            _sf_id("Id", required=True),
            _c("Name"),
            _c("Type", values=("Customer", "Prospect", "Former Customer")),
            _c("Industry"),
            _c("BillingCountry"),
            _c("NumberOfEmployees", "int", low=0),
            _c("AnnualRevenue", "float", low=0),
            _sf_id("OwnerId"),
            _c("ARR__c", "float", low=0),
            _c("Contract_End_Date__c", "date"),
            _CREATED,
            _MODIFIED,
            _DELETED,
        ),
        key="Id",
        stamp="LastModifiedDate",
    ),
    SourceObject(
        "crm",
        "users",
        "csv",
        (
            _sf_id("Id", required=True),
            _c("Name"),
            _c("Email"),
            _c("Title"),
            _c("IsActive", "bool"),
            _CREATED,
            _MODIFIED,
        ),
        key="Id",
        stamp="LastModifiedDate",
    ),
    SourceObject(
        "crm",
        "contacts",
        "csv",
        (
            _sf_id("Id", required=True),
            _sf_id("AccountId"),
            _c("FirstName"),
            _c("LastName"),
            _c("Email"),
            _c("Title"),
            _c(
                "Relationship_Role__c",
                values=("Champion", "Economic Buyer", "Executive Sponsor", "User"),
            ),
            _c("EmailBouncedDate", "datetime"),
            _CREATED,
            _MODIFIED,
            _DELETED,
        ),
        key="Id",
        stamp="LastModifiedDate",
    ),
    SourceObject(
        "crm",
        "opportunities",
        "csv",
        (
            _sf_id("Id", required=True),
            _sf_id("AccountId"),
            _sf_id("OwnerId"),
            _c("Name"),
            _c("Type", values=("New Business", "Renewal", "Upsell", "Downgrade")),
            _c("StageName"),
            _c("Amount", "float", low=0),
            _c("Probability", "float", low=0, high=100),
            _c("CloseDate", "date"),
            _c("IsClosed", "bool"),
            _c("IsWon", "bool"),
            _c("Loss_Reason__c"),
            _CREATED,
            _MODIFIED,
            _DELETED,
        ),
        key="Id",
        stamp="LastModifiedDate",
    ),
    SourceObject(
        "crm",
        "tasks",
        "csv",
        (
            _sf_id("Id", required=True),
            _sf_id("AccountId"),
            _sf_id("WhoId"),
            _sf_id("OwnerId"),
            _c("Subject"),
            _c("Type", values=("Call", "Email", "Meeting", "Follow-up")),
            _c("Status", values=("Not Started", "In Progress", "Completed", "Deferred")),
            _c("ActivityDate", "date"),
            _c("CompletedDateTime", "datetime"),
            _CREATED,
            _MODIFIED,
            _DELETED,
        ),
        key="Id",
        stamp="LastModifiedDate",
    ),
    SourceObject(
        "crm",
        "account_history",
        "csv",
        (
            _sf_id("Id", required=True),
            _sf_id("AccountId"),
            _c("Field"),
            _c("OldValue"),
            _c("NewValue"),
            _c("CreatedDate", "datetime", required=True),
        ),
        key="Id",
        stamp="CreatedDate",
    ),
)

SUPPORT = (
    SourceObject(
        "support",
        "organizations",
        "jsonl",
        (
            _c("id", "int", required=True),
            _c("name"),
            _sf_id("external_id"),
            _c("created_at", "datetime"),
            _c("updated_at", "datetime", required=True),
            _c("deleted_at", "datetime"),
        ),
        key="id",
        stamp="updated_at",
        ext="jsonl",
    ),
    SourceObject(
        "support",
        "users",
        "jsonl",
        (
            _c("id", "int", required=True),
            _c("name"),
            _c("email"),
            _c("role", values=("end-user", "agent", "admin")),
            _c("organization_id", "int"),
            _c("created_at", "datetime"),
            _c("updated_at", "datetime", required=True),
        ),
        key="id",
        stamp="updated_at",
        ext="jsonl",
    ),
    SourceObject(
        "support",
        "tickets",
        "jsonl",
        (
            _c("id", "int", required=True),
            _c("created_at", "datetime"),
            _c("updated_at", "datetime", required=True),
            _c("type", values=("problem", "incident", "question", "task")),
            _c("subject"),
            _c("description"),
            _c("priority", values=("low", "normal", "high", "urgent")),
            _c("status", values=("new", "open", "pending", "hold", "solved", "closed", "deleted")),
            _c("requester_id", "int"),
            _c("assignee_id", "int"),
            _c("organization_id", "int"),
            _c("tags", "string_list"),
            _c(
                "satisfaction_rating_score",
                path=("satisfaction_rating", "score"),
                values=("unoffered", "offered", "good", "bad"),
            ),
            _c("satisfaction_rating_comment", path=("satisfaction_rating", "comment")),
            _c("via_channel", path=("via", "channel")),
        ),
        key="id",
        stamp="updated_at",
        ext="jsonl",
    ),
    SourceObject(
        "support",
        "ticket_metrics",
        "jsonl",
        (
            _c("id", "int", required=True),
            _c("ticket_id", "int", required=True),
            _c("created_at", "datetime"),
            _c("updated_at", "datetime", required=True),
            _c("reopens", "int", low=0),
            _c("replies", "int", low=0),
            _c(
                "reply_time_in_minutes_calendar",
                "int",
                low=0,
                path=("reply_time_in_minutes", "calendar"),
            ),
            _c(
                "reply_time_in_minutes_business",
                "int",
                low=0,
                path=("reply_time_in_minutes", "business"),
            ),
            _c(
                "full_resolution_time_in_minutes_calendar",
                "int",
                low=0,
                path=("full_resolution_time_in_minutes", "calendar"),
            ),
            _c(
                "full_resolution_time_in_minutes_business",
                "int",
                low=0,
                path=("full_resolution_time_in_minutes", "business"),
            ),
            _c("solved_at", "datetime"),
        ),
        key="id",
        stamp="updated_at",
        ext="jsonl",
    ),
)

# Qualtrics exports an answer as its recode value or as its choice text ("Use choice text");
# both mean the same (docs/extracts.md, "Value forms").
NPS_CHOICES = (("not at all likely", 0), ("extremely likely", 10))
CSAT_CHOICES = (
    ("very dissatisfied", 1),
    ("extremely dissatisfied", 1),
    ("dissatisfied", 2),
    ("somewhat dissatisfied", 2),
    ("neither satisfied nor dissatisfied", 3),
    ("neutral", 3),
    ("satisfied", 4),
    ("somewhat satisfied", 4),
    ("very satisfied", 5),
    ("extremely satisfied", 5),
)
YES_NO_CHOICES = (("yes", 1), ("no", 2))

SURVEYS = (
    SourceObject(
        "surveys",
        "responses",
        "qualtrics_csv",
        (
            _c("StartDate", "datetime"),
            _c("EndDate", "datetime"),
            _c("Status"),
            _c("Progress", "int", low=0, high=100),
            _c("Duration (in seconds)", "int", low=0, raw_name="Duration_in_seconds"),
            _c("Finished", "bool"),
            _c("RecordedDate", "datetime", required=True),
            _id("ResponseId", required=True),
            _c("RecipientEmail"),
            _sf_id("ExternalReference"),
            _c("DistributionChannel"),
            _c("UserLanguage"),
            _c("Q_NPS", "int", low=0, high=10, choices=NPS_CHOICES),
            _c("Q_CSAT", "int", low=1, high=5, choices=CSAT_CHOICES),
            _c("Q_ALTERNATIVES", "int", low=1, high=2, choices=YES_NO_CHOICES),
            _c("Q_COMMENT"),
            _sf_id("account_id"),
        ),
        key="ResponseId",
        stamp="RecordedDate",
    ),
)

OBJECTS: tuple[SourceObject, ...] = CRM + SUPPORT + SURVEYS


def objects_of(source: str) -> tuple[SourceObject, ...]:
    return tuple(o for o in OBJECTS if o.source == source)


def get_object(source: str, name: str) -> SourceObject:
    return next(o for o in OBJECTS if o.source == source and o.name == name)


def raw_kinds(obj: SourceObject) -> dict[str, Kind]:
    """The object's raw-zone columns and their kinds: contract columns, then lineage."""
    return {**{c.raw: c.kind for c in obj.columns}, **LINEAGE}


def raw_schema(obj: SourceObject) -> dict[str, pl.DataType]:
    """The object's raw-zone Parquet schema."""
    return {name: POLARS_TYPES[kind] for name, kind in raw_kinds(obj).items()}
