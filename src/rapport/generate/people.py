"""The customer's people: CRM contacts (roles, departures, replacements) and help-desk users.

A champion or economic buyer leaving shows as a bounced e-mail and/or a deleted contact; help-desk
users carry the contacts' e-mails with the case and spacing noise of hand-typed data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from rapport.generate import vocab
from rapport.generate.timeline import (
    DAY,
    Calendar,
    changes_at,
    const,
    expand,
    ints,
    office_hours,
    replay,
    secs,
)
from rapport.generate.world import CONTACT, Accounts, sf_ids

ROLES = ("Champion", "Economic Buyer", "Executive Sponsor", "User", None)
CHAMPION, BUYER, SPONSOR, USER, NO_ROLE = range(5)
ORG_BASE = 10_000_000_000  # organizations.id = ORG_BASE + global account index
END_USER_BASE = 30_000_000_000

_FIRST_ASCII = tuple(vocab.ascii_lower(x) for x in vocab.FIRST_NAMES)
_LAST_ASCII = tuple(vocab.ascii_lower(x) for x in vocab.LAST_NAMES)


@dataclass
class Contacts:
    """All contacts of a chunk: the base ones (grouped by account) first, then replacements."""

    num: np.ndarray  # contact number (inside the Id)
    ids: pl.Series  # CRM Ids
    acc: np.ndarray
    role: np.ndarray
    created: np.ndarray
    left: np.ndarray  # time the person is gone (bounce or deletion)
    first: np.ndarray  # first base contact of each account
    count: np.ndarray  # base contacts of each account
    first_name: np.ndarray
    last_name: np.ndarray
    email: pl.Series
    frame: pl.DataFrame  # crm.contacts versions

    def reachable(self, c: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Contacts `c` exist and have not left at times `t`."""
        return (self.created[c] < t) & ~(t >= np.nan_to_num(self.left[c], nan=np.inf))


def _names(first: np.ndarray, last: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "first": pl.Series(vocab.FIRST_NAMES).gather(first),
            "last": pl.Series(vocab.LAST_NAMES).gather(last),
            "first_ascii": pl.Series(_FIRST_ASCII).gather(first),
            "last_ascii": pl.Series(_LAST_ASCII).gather(last),
        }
    )


def make_contacts(
    rng: np.random.Generator, acc: Accounts, cal: Calendar, start_num: int
) -> Contacts:
    customer = acc.customer
    count = np.where(
        customer,
        np.minimum(2 + rng.poisson(2, acc.n), 9),
        np.minimum(1 + rng.poisson(0.8, acc.n), 4),
    )
    a, j = expand(count)
    first = np.cumsum(count) - count
    cust, u = customer[a], rng.random(a.size)
    role = np.select(
        [
            (j == 0) & cust,
            (j == 0),
            (j == 1) & cust,
            (j == 2) & cust,
            cust,
            (j >= 1),
        ],
        [
            np.where(u < 0.9, CHAMPION, USER),
            np.where(u < 0.4, CHAMPION, NO_ROLE),
            np.where(u < 0.8, BUYER, USER),
            np.where(u < 0.4, SPONSOR, USER),
            np.where(u < 0.75, USER, NO_ROLE),
            np.where(u < 0.5, USER, NO_ROLE),
        ],
    )
    since = acc.created[a]
    created = np.where(
        j < 2,
        since + rng.uniform(0, 10, a.size),
        since + np.maximum(cal.end - since, 1) * rng.random(a.size) ** 1.5,
    )

    # The champion or economic buyer who leaves, and the one who sometimes replaces them.
    rel = np.flatnonzero(~np.isnan(acc.t_rel))
    gone_rank = np.where(acc.rel_buyer[rel] & (count[rel] >= 2), 1, 0)
    gone = first[rel] + gone_rank
    t_rel = acc.t_rel[rel]
    kind = acc.rel_kind[rel]
    rep = acc.rel_replaced[rel]
    n_rep = int(rep.sum())
    a = np.concatenate([a, rel[rep]])
    j = np.concatenate([j, count[rel[rep]]])
    role = np.concatenate([role, role[gone[rep]]])
    created = office_hours(rng, np.concatenate([created, t_rel[rep] + rng.uniform(10, 40, n_rep)]))
    n = a.size
    num = start_num + np.arange(n)
    left = np.full(n, np.nan)
    left[gone] = t_rel
    bounce = np.full(n, np.nan)
    bounce[gone[kind != 1]] = t_rel[kind != 1]
    deleted = np.full(n, np.nan)
    deleted[gone] = np.where(
        kind == 1, t_rel, np.where(kind == 2, t_rel + rng.uniform(3, 25, rel.size), np.nan)
    )
    # noise: a few ordinary users bounce, some titles change
    stray_bounce = (role == USER) & np.isnan(bounce) & (rng.random(n) < 0.015)
    bounce = np.where(
        stray_bounce,
        office_hours(rng, np.maximum(rng.uniform(cal.h0, cal.end, n), created + 1)),
        bounce,
    )
    left = np.where(stray_bounce, bounce, left)
    title_t = np.where(rng.random(n) < 0.05, rng.uniform(cal.h0, cal.end, n), np.nan)

    first_name = rng.integers(0, len(vocab.FIRST_NAMES), n)
    last_name = rng.integers(0, len(vocab.LAST_NAMES), n)
    people = _names(first_name, last_name).with_columns(
        a=a, j=j, domain=acc.domain.gather(a), role=role
    )
    local = pl.col("first_ascii") + "." + pl.col("last_ascii")
    people = people.with_columns(
        email=pl.when(pl.struct("a", local.alias("l")).is_first_distinct())
        .then(local)
        .otherwise(local + pl.col("j").cast(pl.String))
        + "@"
        + pl.col("domain")
    )
    title_role = np.where(role == NO_ROLE, 4, role)
    sizes = np.array([len(vocab.CONTACT_TITLES[r]) for r in range(5)])
    offsets = np.cumsum(sizes) - sizes
    all_titles = pl.Series([t for r in range(5) for t in vocab.CONTACT_TITLES[r]])
    pick_title = rng.integers(0, 4, n)
    title0 = all_titles.gather(offsets[title_role] + pick_title % sizes[title_role])
    title1 = all_titles.gather(offsets[title_role] + (pick_title + 1) % sizes[title_role])
    ids = sf_ids(CONTACT, num)
    static = pl.DataFrame(
        {
            "Id": ids,
            "AccountId": acc.ids.gather(a),
            "FirstName": people["first"],
            "LastName": people["last"],
            "Email": people["email"],
            "Preferred_Language__c": pl.Series(vocab.LANGUAGES).gather(
                np.minimum(rng.geometric(0.75, n) - 1, len(vocab.LANGUAGES) - 1)
            ),
            "Relationship_Role__c": pl.Series(list(ROLES), dtype=pl.String).gather(role),
            "CreatedDate": secs(created),
        }
    )
    base = pl.DataFrame(
        {
            "_k": num,
            "_t": secs(created),
            "Title": title0,
            "EmailBouncedDate": const(None, n, pl.Int64),
            "IsDeleted": np.zeros(n, dtype=bool),
        }
    )
    changes = [
        changes_at(num, bounce, EmailBouncedDate=secs(bounce)),
        changes_at(num, title_t, Title=title1),
        changes_at(num, deleted, IsDeleted=np.ones(n, dtype=bool)),
    ]
    versions = replay(base, changes, cal.end * DAY, gone=pl.col("IsDeleted"), static=static)
    frame = versions.select(
        "Id",
        "AccountId",
        "FirstName",
        "LastName",
        "Email",
        "Title",
        "Preferred_Language__c",
        "Relationship_Role__c",
        "EmailBouncedDate",
        "CreatedDate",
        pl.col("_t").alias("LastModifiedDate"),
        "IsDeleted",
    )
    return Contacts(
        num=num,
        ids=ids,
        acc=a,
        role=role,
        created=created,
        left=left,
        first=first,
        count=count,
        first_name=first_name,
        last_name=last_name,
        email=people["email"],
        frame=frame,
    )


@dataclass
class SupportUsers:
    """Help-desk end-users of a chunk, grouped by account (strays, without one, last)."""

    id: np.ndarray
    acc: np.ndarray  # -1 = a stray user (no organization, no CRM contact)
    created: np.ndarray
    first: np.ndarray  # first user of each account
    count: np.ndarray
    frame: pl.DataFrame  # support.users versions (end-users only)


def _email_noise(rng: np.random.Generator, email: pl.Series) -> pl.Series:
    """Hand-typed e-mails: other case, stray spaces."""
    v = pl.Series(rng.choice(5, size=email.len(), p=(0.7, 0.12, 0.06, 0.06, 0.06)))
    e = pl.col("e")
    return (
        pl.DataFrame({"e": email, "v": v})
        .select(
            pl.when(pl.col("v") == 1)
            .then(e.str.to_titlecase())
            .when(pl.col("v") == 2)
            .then(e.str.to_uppercase())
            .when(pl.col("v") == 3)
            .then(" " + e)
            .when(pl.col("v") == 4)
            .then(e + "  ")
            .otherwise(e)
        )
        .to_series()
    )


def make_support_users(
    rng: np.random.Generator, acc: Accounts, people: Contacts, cal: Calendar, start_num: int
) -> SupportUsers:
    n_c = people.acc.size
    has = acc.has_org[people.acc] & (
        (np.arange(n_c) == people.first[people.acc]) | (rng.random(n_c) < 0.6)
    )
    known = np.flatnonzero(has)
    # end-users the CRM does not know, and a few strays without any organization
    extra_n = np.where(acc.has_org, rng.poisson(0.3, acc.n), 0)
    extra_a, _ = expand(extra_n)
    n_stray = max(1, acc.n // 200)
    a = np.concatenate([people.acc[known], extra_a, np.full(n_stray, -1)])
    n_known, n_new = known.size, extra_a.size + n_stray
    fn = np.concatenate([people.first_name[known], rng.integers(0, len(vocab.FIRST_NAMES), n_new)])
    ln = np.concatenate([people.last_name[known], rng.integers(0, len(vocab.LAST_NAMES), n_new)])
    names = _names(fn, ln)
    domain = pl.concat(
        [
            acc.domain.gather(extra_a),
            pl.Series(["gmail.com", "outlook.com", "yahoo.com"]).gather(
                rng.integers(0, 3, n_stray)
            ),
        ]
    )
    new_email = (
        names.slice(n_known)
        .with_columns(domain=domain, k=np.arange(n_new))
        .select(
            pl.col("first_ascii").str.slice(0, 1)
            + pl.col("last_ascii")
            + pl.when(pl.col("k") >= extra_a.size)
            .then(pl.col("k").cast(pl.String))
            .otherwise(pl.lit(""))
            + "@"
            + pl.col("domain")
        )
        .to_series()
    )
    email = _email_noise(rng, pl.concat([people.email.gather(known), new_email]))
    created = np.concatenate(
        [
            people.created[known] + rng.uniform(0.5, 30, n_known),
            np.where(
                a[n_known:] >= 0,
                acc.created[np.maximum(a[n_known:], 0)] + rng.uniform(1, 400, n_new),
                rng.uniform(cal.h0 - 300, cal.end, n_new),
            ),
        ]
    )
    created = office_hours(rng, created)
    order = np.lexsort((np.arange(a.size), np.where(a < 0, acc.n, a)))
    a, created, email = a[order], created[order], email.gather(order)
    names = names[order]
    n = a.size
    ids = END_USER_BASE + start_num + np.arange(n)
    org = np.where((a >= 0) & (rng.random(n) < 0.92), ORG_BASE + acc.g[np.maximum(a, 0)], -1)
    count = np.bincount(a[a >= 0], minlength=acc.n)
    static = pl.DataFrame(
        {
            "email": email,
            "role": const("end-user", n),
            "organization_id": ints(org),
            "created_at": secs(created),
        }
    )
    base = pl.DataFrame(
        {"_k": ids, "_t": secs(created), "name": names["first"] + " " + names["last"]}
    )
    renamed = np.where(rng.random(n) < 0.05, rng.uniform(cal.h0, cal.end, n), np.nan)
    changes = [
        changes_at(ids, renamed, name=names["first"] + " " + names["last"].str.to_uppercase())
    ]
    versions = replay(base, changes, cal.end * DAY, static=static)
    frame = versions.select(
        pl.col("_k").alias("id"),
        "name",
        "email",
        "role",
        "organization_id",
        "created_at",
        pl.col("_t").alias("updated_at"),
    )
    return SupportUsers(
        id=ids, acc=a, created=created, first=np.cumsum(count) - count, count=count, frame=frame
    )
