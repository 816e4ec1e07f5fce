"""What the report reads from the serving warehouse: the attribution counts."""

from __future__ import annotations

import duckdb

from rapport.report_data import attribution_rows


def test_what_speaks_for_no_known_account_comes_first() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.attribution_coverage as select * from (values "
        "('ticket', 'ticket_organization', 'account', 90, 0.9, '1, 2'), "
        "('ticket', 'unresolved', 'unresolved', 10, 0.1, '7'), "
        "('survey_response', 'email', 'account', 5, 1.0, 'R1')"
        ") as t(record_type, attributed_by, outcome, records, share_of_records, "
        "example_record_ids)"
    )
    rows = attribution_rows(con)
    assert [(r["record_type"], r["outcome"]) for r in rows] == [
        ("survey_response", "account"),
        ("ticket", "unresolved"),
        ("ticket", "account"),
    ]


def test_a_warehouse_published_before_the_mart_existed_has_no_rows() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    assert attribution_rows(con) == []
