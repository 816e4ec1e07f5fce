"""Relationship survey responses (NPS, CSAT, "evaluated alternatives?", a comment).

What a contact says follows the account's satisfaction (segment), not its fate; whether they
admit to shopping around, and whether they answer at all, follows the defection ramp.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import polars as pl

from rapport.generate import vocab
from rapport.generate.people import NO_ROLE, Contacts
from rapport.generate.timeline import (
    DAY,
    Calendar,
    business_times,
    const,
    office_hours,
    pick,
    secs,
)
from rapport.generate.variant import DEFAULT, Variant
from rapport.generate.world import Accounts, refs

NPS_SATISFIED = (0.005, 0.005, 0.005, 0.01, 0.01, 0.015, 0.03, 0.07, 0.2, 0.3, 0.35)
NPS_UNSATISFIED = (0.03, 0.04, 0.1, 0.13, 0.15, 0.15, 0.14, 0.11, 0.08, 0.04, 0.03)
ALTERNATIVES = (0.08, 0.65)  # share answering "yes, evaluated alternatives": base, full ramp
SHOPPING = (0.03, 0.45)  # share of comments with competitor/pricing/exit words
ANSWERED_AT_RAMP = 0.6  # survey answers along the ramp, as a share of the usual
PARTIAL = 0.04
_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)


def _response_ids(rng: np.random.Generator, n: int) -> pl.Series:
    chars = _B62[rng.integers(0, 62, (n, 15))]
    return "R_" + pl.Series(chars.view("S15").ravel()).cast(pl.String)


def _nps(rng: np.random.Generator, satisfied: np.ndarray) -> np.ndarray:
    sat = rng.choice(11, size=satisfied.size, p=np.array(NPS_SATISFIED) / sum(NPS_SATISFIED))
    unsat = rng.choice(11, size=satisfied.size, p=np.array(NPS_UNSATISFIED) / sum(NPS_UNSATISFIED))
    return np.where(satisfied, sat, unsat)


def _comments(
    rng: np.random.Generator, nps: np.ndarray, shop: np.ndarray, words: ModuleType = vocab
) -> pl.Series:
    pools = [
        words.SURVEY_COMMENTS_BAD,
        words.SURVEY_COMMENTS_MIXED,
        words.SURVEY_COMMENTS_GOOD,
        tuple(
            s.format(competitor=c)
            for s in words.SHOP_SURVEY_COMMENTS
            for c in words.SHOP_COMPETITORS
        ),
    ]
    sizes = np.array([len(p) for p in pools])
    offsets = np.cumsum(sizes) - sizes
    which = np.where(shop, 3, np.where(nps >= 9, 2, np.where(nps >= 7, 1, 0)))
    idx = offsets[which] + rng.integers(0, 1 << 30, nps.size) % sizes[which]
    return pl.Series([c for p in pools for c in p]).gather(idx)


def responses(
    acc: Accounts,
    people: Contacts,
    cal: Calendar,
    rng: np.random.Generator,
    variant: Variant = DEFAULT,
) -> pl.DataFrame:
    lo = np.maximum(acc.created + 30, cal.h0)
    a, t = business_times(rng, acc.survey_rate, lo, np.full(acc.n, float(cal.end)))
    kept = variant.kept("quiet", ANSWERED_AT_RAMP)
    answered = ~acc.gone(a, t) & (rng.random(a.size) < 1 - (1 - kept) * acc.ramp(a, t))
    a, t = a[answered], office_hours(rng, t[answered])
    # the respondent: a contact of the account with a role, there at the time
    c = people.first[a] + (rng.random(a.size) * people.count[a]).astype(np.int64)
    for fallback in (people.first[a], people.first[a] + np.minimum(1, people.count[a] - 1)):
        ok = people.reachable(c, t) & (people.role[c] != NO_ROLE)
        c = np.where(ok, c, fallback)
    ok = people.reachable(c, t) & (people.role[c] != NO_ROLE)
    a, t, c = a[ok], t[ok], c[ok]
    n = a.size

    partial = rng.random(n) < PARTIAL
    duration = np.round(rng.lognormal(np.log(150), 0.6, n)).astype(np.int64)
    duration = np.where(partial, duration // 3, duration)
    t_end = t + duration / DAY
    recorded = np.where(partial, t_end + 7, t_end)  # partial responses close after a week
    r = acc.ramp(a, t)
    nps = _nps(rng, acc.satisfied[a])
    csat = np.clip(np.round(0.8 + 0.4 * nps + rng.normal(0, 0.6, n)), 1, 5).astype(np.int64)
    alt_base, alt_ramped = variant.lift("alternatives", *ALTERNATIVES)
    alternatives = np.where(rng.random(n) < alt_base + (alt_ramped - alt_base) * r, 1, 2)
    shop_base, shop_ramped = variant.lift("shopping", *SHOPPING)
    shop = rng.random(n) < shop_base + (shop_ramped - shop_base) * r
    commented = ~partial & (rng.random(n) < 0.55)
    progress = np.where(partial, rng.integers(5, 91, n), 100)
    frame = pl.DataFrame(
        {
            "StartDate": secs(t),
            "EndDate": secs(t_end),
            "Status": const("IP Address", n),
            "Progress": progress,
            "Duration (in seconds)": duration,
            "Finished": (~partial).astype(np.int64),
            "RecordedDate": secs(recorded),
            "ResponseId": _response_ids(rng, n),
            "RecipientLastName": pl.Series(vocab.LAST_NAMES).gather(people.last_name[c]),
            "RecipientFirstName": pl.Series(vocab.FIRST_NAMES).gather(people.first_name[c]),
            "RecipientEmail": people.email.gather(c),
            "ExternalReference": refs(people.ids, np.where(rng.random(n) < 0.1, -1, c)),
            "DistributionChannel": const("email", n),
            "UserLanguage": pick(rng, vocab.LANGUAGES, n, (0.8, 0.1, 0.07, 0.03)),
            "Q_NPS": pl.Series(nps).set(pl.Series(partial), None),
            "Q_CSAT": pl.Series(csat).set(pl.Series(partial), None),
            "Q_ALTERNATIVES": pl.Series(alternatives).set(pl.Series(partial), None),
            "Q_COMMENT": _comments(rng, nps, shop, variant.words).set(pl.Series(~commented), None),
            "account_id": refs(acc.ids, np.where(rng.random(n) < 0.07, -1, a)),
        }
    )
    nps = pl.col("Q_NPS")
    return frame.filter(pl.col("RecordedDate") < cal.end * DAY).select(
        "StartDate",
        "EndDate",
        "Status",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "ExternalReference",
        "DistributionChannel",
        "UserLanguage",
        "Q_NPS",
        pl.when(nps >= 9)
        .then(3)
        .when(nps >= 7)
        .then(2)
        .when(nps >= 0)
        .then(1)
        .alias("Q_NPS_NPS_GROUP"),
        "Q_CSAT",
        "Q_ALTERNATIVES",
        "Q_COMMENT",
        "account_id",
    )
