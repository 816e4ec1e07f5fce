"""Generator variants: deterministic per seed, and really different from the default where
asked (wording, value forms, behaviours before a defection, noise)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from rapport.contract import OBJECTS
from rapport.generate import generate, vocab, vocab_alt
from rapport.generate.variant import Variant, parse_mix

ACCOUNTS, START, DAYS, SEED = 400, date(2026, 9, 1), 4, 13
VARIANT = Variant(
    wording="alt",
    encoding="export",
    mix={"shopping": 0.5, "complaints": 2.0, "tenure": 1.0},
    false_alarms=0.2,
    base_noise=1.5,
)


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def make(root: Path, variant: Variant, seed: int = SEED) -> Path:
    generate(root / "landing", ACCOUNTS, START, DAYS, seed, variant=variant)
    return root


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make(tmp_path_factory.mktemp("default"), Variant())


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make(tmp_path_factory.mktemp("variant"), VARIANT)


def read_crm(path: Path) -> pl.DataFrame:
    """A CRM file with its header in the contract's spelling (exports may lower-case it)."""
    frame = pl.read_csv(path, infer_schema_length=0)
    names = {c.name.lower(): c.name for o in OBJECTS for c in o.columns}
    return frame.rename(lambda n: names.get(n.lower(), n))


def texts(root: Path) -> str:
    """Every ticket subject and description and every survey line, as one text."""
    out = []
    for path in sorted((root / "landing" / "support").rglob("tickets.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            ticket = json.loads(line)
            out += [ticket["subject"], ticket["description"]]
    for path in sorted((root / "landing" / "surveys").rglob("responses.csv")):
        out.append(path.read_text("utf-8"))
    return "\n".join(out)


def test_a_variant_is_deterministic_per_seed(variant: Path, tmp_path: Path) -> None:
    again = make(tmp_path / "again", VARIANT)
    other_seed = make(tmp_path / "other", VARIANT, seed=SEED + 1)
    assert digest(again) == digest(variant)
    assert digest(other_seed) != digest(variant)


def test_alt_wording_shares_no_shopping_phrase_with_the_default(
    default: Path, variant: Path
) -> None:
    default_text, variant_text = texts(default), texts(variant)
    alt_phrases = [s.split("{")[0].strip() for s in vocab_alt.SHOP_TICKET_SENTENCES]
    default_phrases = [s.split("{")[0].strip() for s in vocab.SHOP_TICKET_SENTENCES]
    assert any(p in variant_text for p in alt_phrases)
    assert not any(p in variant_text for p in default_phrases if p)
    assert not any(p in default_text for p in alt_phrases if p)
    assert not set(vocab.SHOP_COMPETITORS) & set(vocab_alt.SHOP_COMPETITORS)


def test_export_encoding_spells_values_as_real_exports_do(default: Path, variant: Path) -> None:
    night = "dt=2026-09-01"
    opp = read_crm(variant / "landing" / "crm" / night / "opportunities.csv")
    spelled = set(opp["IsDeleted"].unique()) | set(opp["IsWon"].unique())
    assert not spelled & {"true", "false"}
    assert len(set(opp["IsWon"].unique())) == 2
    surveys = pl.read_csv(
        variant / "landing" / "surveys" / night / "responses.csv",
        skip_rows_after_header=2,
        infer_schema_length=0,
    )
    answers = set(surveys["Q_ALTERNATIVES"].drop_nulls().str.to_lowercase().unique())
    assert answers == {"yes", "no"}
    assert surveys["Q_ALTERNATIVES"].drop_nulls().n_unique() > 2  # several cases
    assert "somewhat satisfied" in set(surveys["Q_CSAT"].drop_nulls().str.to_lowercase())
    accounts = read_crm(variant / "landing" / "crm" / night / "accounts.csv")
    assert not accounts["ARR__c"].drop_nulls().str.ends_with(".00").any()
    base = pl.read_csv(default / "landing" / "crm" / night / "accounts.csv", infer_schema_length=0)
    assert set(base["IsDeleted"].unique()) <= {"true", "false"}


def test_the_mix_and_noise_change_who_shows_what(default: Path, variant: Path) -> None:
    def complaint_share(root: Path, segment: str) -> float:
        labels = pl.read_csv(root / "labels.csv").filter(pl.col("segment") == segment)
        tickets = pl.concat(
            pl.read_ndjson(p, infer_schema_length=None).select(
                pl.col("type").str.to_lowercase(), pl.col("organization_id").cast(pl.Int64)
            )
            for p in (root / "landing" / "support").rglob("tickets.jsonl")
            if p.stat().st_size
        )
        organizations = pl.concat(
            pl.read_ndjson(p).select(pl.col("id").cast(pl.Int64), "external_id")
            for p in (root / "landing" / "support").rglob("organizations.jsonl")
            if p.stat().st_size
        ).unique("id")
        joined = tickets.join(
            organizations, left_on="organization_id", right_on="id", how="inner"
        ).join(labels, left_on="external_id", right_on="account_id", how="inner")
        return joined["type"].is_in(["problem", "incident"]).mean()

    # leavers file more complaints than loyal accounts when the mix asks for it
    assert complaint_share(variant, "satisfied_leaving") > complaint_share(variant, "loyal") + 0.1
    # false alarms: staying customers with a spell of a leaver's behaviour (no defection)
    labels = pl.read_csv(variant / "labels.csv")
    alarms = labels.filter((pl.col("segment") == "loyal") & pl.col("ramp_start").is_not_null())
    assert alarms.height > 0 and not alarms["defects"].any()
    base_labels = pl.read_csv(default / "labels.csv")
    assert base_labels.filter(
        (pl.col("segment") == "loyal") & pl.col("ramp_start").is_not_null()
    ).is_empty()


def test_variant_options_are_checked() -> None:
    assert parse_mix("shopping=0.5, tenure=2") == {"shopping": 0.5, "tenure": 2.0}
    with pytest.raises(ValueError, match="not behaviour=factor"):
        parse_mix("shopping")
    with pytest.raises(ValueError, match="unknown behaviour"):
        Variant(mix={"gossip": 1.0})
    with pytest.raises(ValueError, match="wording"):
        Variant(wording="klingon")
    assert Variant().is_default and not VARIANT.is_default
    assert Variant(mix={"shopping": 1.0}) == Variant()
    assert Variant().lift("shopping", 0.03, 0.45) == (0.03, 0.45)
    assert Variant(mix={"shopping": 0.0}).lift("shopping", 0.03, 0.45) == (0.03, 0.03)


def test_defection_timing_spreads_defections_over_the_nights(tmp_path: Path) -> None:
    days = 20
    generate(
        tmp_path / "landing",
        ACCOUNTS,
        START,
        days,
        SEED,
        variant=Variant(in_window=0.6, defections_from=0.1),
    )
    labels = pl.read_csv(tmp_path / "labels.csv", try_parse_dates=True)
    leavers = labels.filter(pl.col("defects"))
    last = date.fromordinal(START.toordinal() + days - 1)
    inside = leavers.filter(pl.col("defection_date") <= last)["defection_date"]
    # defections start early in the nights (not only in the second half) ...
    assert inside.min() < date.fromordinal(START.toordinal() + days // 2)
    assert inside.min() >= date.fromordinal(START.toordinal() + 2)
    # ... and more of the leavers defect inside them than the default's 30 %
    assert inside.len() / leavers.height > 0.45
