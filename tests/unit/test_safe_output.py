"""What reaches a spreadsheet or a terminal from a delivery cannot act there (issue 11, class 6)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from rapport.quarantine import render as render_quarantine
from rapport.safe_output import csv_cell, html_text, printable
from rapport.watchlist import COLUMNS, Watchlist
from rapport.watchlist import render as render_watchlist


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_prefixed_with_a_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Acme", "", "a=b", -5, 1.5, None])
def test_other_cells_and_numbers_are_unchanged(value: object) -> None:
    assert csv_cell(value) == value


def test_control_characters_never_reach_the_terminal() -> None:
    text = "Acme\x1b[2J\x1b[H\r\nforged line\x07\u202egnp.exe\x9b"
    shown = printable(text)
    assert shown == "Acme\\x1b[2J\\x1b[H\\x0d\\x0aforged line\\x07\\u202egnp.exe\\x9b"
    assert shown.isprintable()
    assert printable("a\nb", keep_newlines=True) == "a\nb"
    assert html_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def _watchlist(name: str) -> Watchlist:
    row = dict.fromkeys(COLUMNS)
    row.update(watchlist_rank=1, account_name=name, owner_name="-Owner", arr=float("inf"))
    return Watchlist(date(2026, 9, 1), 1, 0.0, [row])


def test_the_watchlist_exports_are_safe() -> None:
    wl = _watchlist('=cmd|" /C calc"!A0\x1b[31m')

    rows = list(csv.DictReader(io.StringIO(render_watchlist(wl, "csv"))))
    assert rows[0]["account_name"] == '\'=cmd|" /C calc"!A0\x1b[31m'
    assert rows[0]["owner_name"] == "'-Owner"
    table = render_watchlist(wl, "table")
    assert "\x1b" not in table and '=cmd|" /C calc"!A0\\x1b[31m' in table
    assert json.loads(render_watchlist(wl, "json"))[0]["arr"] is None  # never Infinity


def test_the_quarantine_listing_escapes_what_the_delivery_wrote() -> None:
    rows = [
        {
            "source": "crm",
            "object": "accounts",
            "extract_date": date(2026, 9, 1),
            "file": "crm/dt=2026-09-01/accounts.csv",
            "line": 2,
            "column": "Type",
            "reason": "Type: 'x\x1b[2J\n2026-09-01 crm/ok.csv:1: forged' is not one of ...",
        }
    ]
    shown = render_quarantine(rows, "table")
    assert "\x1b" not in shown and len(shown.splitlines()) == 2
