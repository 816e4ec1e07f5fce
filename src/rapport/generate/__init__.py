"""Demo extracts: a synthetic CRM, help desk and survey tool delivering nightly as
docs/extracts.md describes, and the hidden truth about every account (the labels) to judge
the pipeline by.

Accounts are generated in chunks of `CHUNK_ACCOUNTS`, each with its own random stream, so the
output depends only on the arguments and memory stays flat however many accounts are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from rapport.contract import OBJECTS
from rapport.generate import crm, support, surveys
from rapport.generate.encoding import Encoder
from rapport.generate.people import make_contacts, make_support_users
from rapport.generate.timeline import Calendar
from rapport.generate.variant import DEFAULT, Variant
from rapport.generate.world import SEGMENTS, Staff, make_accounts, make_staff
from rapport.generate.writers import Landing

__all__ = ["GenerateSummary", "Variant", "generate"]

CHUNK_ACCOUNTS = 50_000
ID_BLOCK = 100_000_000  # record numbers reserved per object and chunk


@dataclass(frozen=True)
class GenerateSummary:
    """What `generate` wrote."""

    out: Path
    labels: Path
    accounts: int
    nights: tuple[date, ...]
    rows: dict[str, int]  # rows delivered per object ("crm.accounts"), all nights together
    segments: dict[str, int]  # accounts per latent segment
    variant: Variant = DEFAULT
    night_rows: dict[date, dict[str, int]] = field(default_factory=dict)  # rows by night, object


def generate(
    out: Path,
    accounts: int,
    start: date,
    days: int,
    seed: int,
    labels: Path | None = None,
    variant: Variant = DEFAULT,
    horizon: int | None = None,
    deliver_from: date | None = None,
) -> GenerateSummary:
    """Write `days` nightly deliveries from `start` (a full load, then changes) for `accounts`
    accounts under `out`, and the labels (default `<out>/../labels.csv`). `variant` changes
    wording, value forms, the behaviours before a defection and noise (`variant.py`).
    The world is simulated for `horizon` nights (default `days`): a landing of D nights is then
    the first D nights of one of `horizon` nights, byte for byte, and `deliver_from` writes only
    the nights from that date on (`rapport generate --append`)."""
    horizon = horizon or days
    if accounts < 1 or days < 1:
        raise ValueError("accounts and days must be at least 1")
    if horizon < days:
        raise ValueError(f"the horizon ({horizon} nights) is shorter than the landing ({days})")
    out = Path(out)
    labels = Path(labels) if labels is not None else out.parent / "labels.csv"
    cal = Calendar(start, horizon)
    encoder = None if variant.encoding == "contract" else Encoder(np.random.default_rng([seed, 2]))
    landing = Landing(out, cal, encoder, (deliver_from or start, cal.nights[days - 1]))
    staff = make_staff(np.random.default_rng([seed, 0]), accounts, cal)
    segments = dict.fromkeys(SEGMENTS, 0)
    labels.parent.mkdir(parents=True, exist_ok=True)
    with labels.open("wb") as label_file:
        for chunk, lo in enumerate(range(0, accounts, CHUNK_ACCOUNTS)):
            rng = np.random.default_rng([seed, 1, chunk])
            g = np.arange(lo, min(lo + CHUNK_ACCOUNTS, accounts))
            frames = _chunk(rng, g, cal, staff, chunk, variant)
            for obj in OBJECTS:
                if obj.qualified in frames:
                    landing.deliver(obj, frames[obj.qualified], rng)
            truth = frames["labels"]
            truth.write_csv(label_file, include_header=chunk == 0)
            for segment, count in truth["segment"].value_counts().iter_rows():
                segments[segment] += count
    landing.finish()
    return GenerateSummary(
        out=out,
        labels=labels,
        accounts=accounts,
        nights=landing.nights,
        rows=dict(landing.rows),
        segments=segments,
        variant=variant,
        night_rows=landing.night_rows,
    )


def _chunk(
    rng: np.random.Generator,
    g: np.ndarray,
    cal: Calendar,
    staff: Staff,
    chunk: int,
    variant: Variant,
) -> dict[str, pl.DataFrame]:
    """Every object's record versions for one chunk of accounts (staff with the first chunk)."""
    ids = chunk * ID_BLOCK
    acc = make_accounts(rng, g, cal, staff.n_owners, variant)
    people = make_contacts(rng, acc, cal, ids)
    users = make_support_users(rng, acc, people, cal, ids)
    owners = staff.owner_ids
    accounts, history = crm.accounts(acc, owners, cal, rng, ids)
    tickets, metrics = support.tickets(acc, users, staff, cal, rng, ids, variant)
    frames = {
        "crm.accounts": accounts,
        "crm.contacts": people.frame,
        "crm.opportunities": crm.opportunities(acc, owners, cal, rng, ids),
        "crm.tasks": crm.tasks(acc, people, owners, cal, rng, ids, variant),
        "crm.account_history": history,
        "support.organizations": support.organizations(acc, cal, rng),
        "support.users": users.frame,
        "support.tickets": tickets,
        "support.ticket_metrics": metrics,
        "surveys.responses": surveys.responses(acc, people, cal, rng, variant),
        "labels": acc.labels(),
    }
    if chunk == 0:
        frames["crm.users"] = crm.users(staff, cal)
        frames["support.users"] = pl.concat([support.agents(staff), users.frame])
    return frames
