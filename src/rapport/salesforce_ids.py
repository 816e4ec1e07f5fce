"""Salesforce record ids in one form: a 15-character id (as reports and page addresses show
it) is its 18-character case-safe form (as the API and Data Loader export it), so the two
forms of one record join, wherever the id was typed or exported."""

from __future__ import annotations

import polars as pl

_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def case_safe(text: pl.Expr) -> pl.Expr:
    """Each 15-character id as its 18-character form: three more characters, one per five,
    each telling which of its five are upper case. Every other value unchanged."""
    fifteen = pl.when(text.str.len_bytes() == 15).then(text)  # mostly null: the rest cheap
    short = pl.when(fifteen.str.contains(r"^[0-9A-Za-z]{15}$")).then(fifteen)
    upper = short.str.replace_all("[^A-Z]", "0").str.replace_all("[A-Z]", "1")
    suffix = [
        pl.lit(_SUFFIX).str.slice(
            upper.str.slice(5 * k, 5).str.reverse().str.to_integer(base=2, strict=False), 1
        )
        for k in range(3)
    ]
    return pl.coalesce(pl.concat_str([short, *suffix]), text)


def case_safe_id(value: str) -> str:
    """One id, as `case_safe` reads it (an account id a person typed, say)."""
    return pl.select(case_safe(pl.lit(value, dtype=pl.String))).item()
