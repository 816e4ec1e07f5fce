"""Help-desk records over time: organizations, agents, tickets and their metrics.

Tickets follow new -> open/pending -> solved (-> reopened -> solved) -> closed, each step a new
version of the ticket and of its metrics. Along a leaver's ramp replies get slower, tickets are
reopened and the same problem comes back more often, and shopping words appear in the text.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

import numpy as np
import polars as pl

from rapport.generate import vocab
from rapport.generate.people import ORG_BASE, SupportUsers
from rapport.generate.timeline import (
    DAY,
    Calendar,
    business_times,
    changes_at,
    const,
    ints,
    office_hours,
    pick,
    replay,
    secs,
)
from rapport.generate.variant import DEFAULT, Variant, extra_rng
from rapport.generate.world import Accounts, Staff, refs

AGENT_BASE = 20_000_000_000
METRIC_BASE = 40_000_000_000
SHOPPING = (0.03, 0.45)  # share of tickets with competitor/RFP/pricing/exit words: base, ramp
REPEAT = (0.10, 0.35)  # share of tickets about the account's recurring problem
REOPENED = (0.07, 0.25)
# median minutes to the first reply by priority (low, normal, high, urgent, none)
REPLY_MINUTES = np.array([600.0, 240.0, 70.0, 25.0, 300.0])
PRIORITIES = ("low", "normal", "high", "urgent", None)
TICKET_TYPES = ("problem", "incident", "question", "task", None)
CHANNELS = ("email", "web", "chat", "api", "voice")
COMPLAINT_TYPES = ("problem", "incident")
COMPLAINTS = 0.5  # share of tickets that turn into complaints at full ramp, per unit of the mix
BAD_RATINGS = 0.4  # fall in the chance of a good rating at full ramp, per unit of the mix


@cache
def _tag_sets(topics: tuple[tuple[str, str, str], ...]) -> pl.Series:
    """Every tag list a ticket can have: main tag, then "escalated", then "vip"."""
    tags = (*(t[1] for t in topics), "commercial")
    return pl.Series(
        [
            [tag, *(["escalated"] if e else []), *(["vip"] if v else [])]
            for tag in tags
            for e in (False, True)
            for v in (False, True)
        ]
    )


def organizations(acc: Accounts, cal: Calendar, rng: np.random.Generator) -> pl.DataFrame:
    a = np.flatnonzero(acc.has_org)
    n = a.size
    old = acc.created[a] < cal.h0
    created = office_hours(
        rng, acc.created[a] + np.where(old, rng.uniform(1, 60, n), rng.uniform(0.01, 2, n))
    )
    ids = ORG_BASE + acc.g[a]
    static = pl.DataFrame(
        {
            "external_id": refs(acc.ids, np.where(acc.org_linked[a], a, -1)),
            "domain_names": acc.domain.gather(a),
            "created_at": secs(created),
        }
    ).with_columns(pl.concat_list("domain_names"))
    base = pl.DataFrame(
        {
            "_k": ids,
            "_t": secs(created),
            "name": acc.name.gather(a),
            "deleted_at": const(None, n, pl.Int64),
        }
    )
    churned = ~np.isnan(acc.t_type[a]) & (rng.random(n) < 0.1)
    deleted = np.where(
        churned,
        acc.t_type[a] + rng.uniform(1, 10, n),
        np.where(rng.random(n) < 0.002, rng.uniform(cal.h0, cal.end, n), np.nan),
    )
    renamed = np.where(rng.random(n) < 0.05, rng.uniform(cal.h0, cal.end, n), np.nan)
    changes = [
        changes_at(ids, renamed, name=acc.name.gather(a) + " (EMEA)"),
        changes_at(ids, deleted, deleted_at=secs(deleted)),
    ]
    v = replay(base, changes, cal.end * DAY, gone=pl.col("deleted_at").is_not_null(), static=static)
    return v.select(
        pl.col("_k").alias("id"),
        "name",
        "external_id",
        "domain_names",
        "created_at",
        pl.col("_t").alias("updated_at"),
        "deleted_at",
    )


def agents(staff: Staff) -> pl.DataFrame:
    """Help-desk agents and admins (our staff), in the shape of `support.users`."""
    n = staff.n_agents
    first = pl.Series(vocab.FIRST_NAMES).gather(staff.agent_first)
    last = pl.Series(vocab.LAST_NAMES).gather(staff.agent_last)
    k = np.arange(n)
    local = pl.Series([vocab.ascii_lower(x) for x in vocab.FIRST_NAMES]).gather(staff.agent_first)
    return pl.DataFrame(
        {
            "id": AGENT_BASE + k,
            "name": first + " " + last,
            "email": local + "." + pl.Series(k).cast(pl.String) + "@support.rapport-demo.io",
            "role": pl.Series(["agent", "admin"]).gather(staff.agent_admin.astype(np.int64)),
            "organization_id": const(None, n, pl.Int64),
            "created_at": secs(staff.agent_created),
            "updated_at": secs(staff.agent_created),
        }
    )


def _texts(
    rng: np.random.Generator,
    topic: np.ndarray,
    repeat: np.ndarray,
    shop: np.ndarray,
    words: ModuleType = vocab,
) -> tuple[pl.DataFrame, np.ndarray]:
    """Subject and description of each ticket, and its main tag (an index into the tags of
    `_tag_sets`)."""
    n = topic.size
    topics = words.TICKET_TOPICS
    comp = rng.integers(0, len(words.SHOP_COMPETITORS), n)
    shop_subject = shop & (rng.random(n) < 0.5)
    subj = pl.Series([t[0] for t in topics]).gather(topic)
    again = repeat & (rng.random(n) < 0.4)
    subj = pl.select(pl.when(pl.Series(again)).then("Again: " + subj).otherwise(subj)).to_series()
    shop_subjects = pl.Series(
        [s.format(competitor=c) for s in words.SHOP_TICKET_SUBJECTS for c in words.SHOP_COMPETITORS]
    )
    shop_sentences = pl.Series(
        [
            s.format(competitor=c)
            for s in words.SHOP_TICKET_SENTENCES
            for c in words.SHOP_COMPETITORS
        ]
    )
    n_comp = len(words.SHOP_COMPETITORS)
    s_subj = shop_subjects.gather(
        rng.integers(0, len(words.SHOP_TICKET_SUBJECTS), n) * n_comp + comp
    )
    s_sent = shop_sentences.gather(
        rng.integers(0, len(words.SHOP_TICKET_SENTENCES), n) * n_comp + comp
    )
    body = pl.Series([t[2] for t in topics]).gather(topic)
    df = pl.DataFrame(
        {
            "subj": subj,
            "s_subj": s_subj,
            "s_sent": s_sent,
            "body": body,
            "shop": shop,
            "shop_subject": shop_subject,
        }
    )
    return df.select(
        subject=pl.when("shop_subject").then("s_subj").otherwise("subj"),
        description=pl.lit("Hello,\n\n")
        + pl.when("shop_subject")
        .then("s_sent")
        .when("shop")
        .then(pl.col("body") + "\n\n" + pl.col("s_sent"))
        .otherwise("body")
        + "\n\nThanks",
    ), np.where(shop_subject, len(topics), topic)


def _complaints(rng: np.random.Generator, types: pl.Series, share: np.ndarray) -> pl.Series:
    """`types` with a share of the tickets (per ticket, `share`) turned into problems or
    incidents: what a customer files when something keeps going wrong."""
    turned = rng.random(types.len()) < share
    kinds = pl.Series(COMPLAINT_TYPES).gather(rng.integers(0, len(COMPLAINT_TYPES), types.len()))
    return pl.select(pl.when(pl.Series(turned)).then(kinds).otherwise(types)).to_series()


def tickets(
    acc: Accounts,
    users: SupportUsers,
    staff: Staff,
    cal: Calendar,
    rng: np.random.Generator,
    start: int,
    variant: Variant = DEFAULT,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ticket versions and ticket-metrics versions."""
    words = variant.words
    end = np.full(acc.n, float(cal.end))
    more = 0.5 * variant.strength("ticket_volume")  # extra tickets at full ramp
    rate = np.where(users.count > 0, acc.ticket_rate * (1 + more), 0.0)
    a, t = business_times(rng, rate, np.maximum(acc.created, cal.h0), end)
    # leavers write in a bit more (contract, export and pricing questions), then go silent
    keep = np.where(acc.gone(a, t), 0.1, (1 + more * acc.ramp(a, t)) / (1 + more))
    m = rng.random(a.size) < keep
    a, t = a[m], t[m]
    req = users.first[a] + (rng.random(a.size) * users.count[a]).astype(np.int64)
    # tickets from people with no organization and no CRM contact
    strays = np.flatnonzero(users.acc < 0)
    n_stray = rng.poisson(strays.size * 2.0 * (cal.end - cal.h0) / 180)
    a = np.concatenate([a, np.full(n_stray, -1)])
    req = np.concatenate([req, rng.choice(strays, n_stray)])
    t = np.concatenate([t, rng.uniform(cal.h0, cal.end, n_stray)])
    t = office_hours(rng, np.maximum(t, users.created[req] + 0.05))
    order = np.argsort(t, kind="stable")
    a, req, t = a[order], req[order], t[order]
    n = a.size
    known = a >= 0
    ak = np.maximum(a, 0)
    r = np.where(known, acc.ramp(ak, t), 0.0)

    def lifted(base: float, ramped: float) -> np.ndarray:
        return base + (ramped - base) * r

    shop = known & acc.customer[ak] & (rng.random(n) < lifted(*variant.lift("shopping", *SHOPPING)))
    repeat = known & (rng.random(n) < lifted(*variant.lift("service", *REPEAT)))
    topic = np.where(repeat, acc.pain_topic[ak], rng.integers(0, len(words.TICKET_TOPICS), n))
    text, tag = _texts(rng, topic, repeat, shop, words)
    priority = rng.choice(5, size=n, p=(0.2, 0.5, 0.2, 0.05, 0.05))
    channel = rng.choice(5, size=n, p=(0.5, 0.3, 0.1, 0.05, 0.05))
    org = np.where(known & acc.has_org[ak] & (rng.random(n) < 0.85), ORG_BASE + acc.g[ak], -1)
    escalated = (priority >= 2) & (priority <= 3) & (rng.random(n) < 0.5)
    gold = known & (acc.tier[ak] == 2)

    # lifecycle
    service = variant.strength("service")
    reply_min = REPLY_MINUTES[priority] * rng.lognormal(0, 1.0, n) * (1 + 1.5 * service * r)
    t1 = t + reply_min / 1440
    t2 = t1 + rng.lognormal(np.log(1.2), 1.0, n) * (1 + service * r)
    reopened = rng.random(n) < lifted(*variant.lift("service", *REOPENED))
    t3 = np.where(reopened, t2 + rng.uniform(0.3, 4, n), np.nan)
    t4 = t3 + rng.lognormal(np.log(0.8), 0.8, n)
    solved = np.where(reopened, t4, t2)
    has_rating = (channel != 3) & (rng.random(n) < 0.9)
    rated = has_rating & (rng.random(n) < 0.4)
    tr = np.where(rated, solved + rng.uniform(0.05, 3.5, n), np.nan)
    satisfied = np.where(known, acc.satisfied[ak], rng.random(n) < 0.7)
    p_good = np.where(satisfied, 0.88, 0.35) - np.where(reopened, 0.25, 0.0)
    complaints = variant.strength("complaints")
    if complaints:
        p_good = p_good - BAD_RATINGS * complaints * r
    good = rng.random(n) < p_good
    tc = solved + 4 + rng.uniform(0, 0.5, n)
    spam = rng.random(n) < 0.003
    never = np.where(spam, np.nan, 0.0)  # spam is deleted, it has no lifecycle
    td = np.where(spam, t + rng.uniform(0.01, 1, n), np.nan)
    replies2 = 2 + rng.poisson(1.5, n)
    cal1, cal2, cal4 = (np.round(x * 1440) for x in (t1 - t, t2 - t, t4 - t))
    bus = rng.uniform(0.25, 0.6, n)  # business share of calendar minutes

    ids = start + 1 + np.arange(n)  # ticket numbers start at 1
    ticket_type = pick(rng, TICKET_TYPES, n, (0.3, 0.25, 0.35, 0.05, 0.05))
    if complaints:
        ticket_type = _complaints(extra_rng(rng), ticket_type, COMPLAINTS * complaints * r)
    static = pl.DataFrame(
        {
            "_k": ids,
            "created_at": secs(t),
            "type": ticket_type,
            "subject": text["subject"],
            "description": text["description"],
            "priority": pl.Series(PRIORITIES, dtype=pl.String).gather(priority),
            "requester_id": users.id[req],
            "organization_id": ints(org),
            "tags": _tag_sets(words.TICKET_TOPICS).gather(tag * 4 + escalated * 2 + gold),
            "via_channel": pl.Series(CHANNELS).gather(channel),
        }
    ).select(
        pl.format("https://rapport-demo.zendesk.com/api/v2/tickets/{}.json", "_k").alias("url"),
        pl.exclude("_k"),
    )
    base = pl.DataFrame(
        {
            "_k": ids,
            "_t": secs(t),
            "status": const("new", n),
            "assignee_id": const(None, n, pl.Int64),
            "score": pl.Series(["unoffered", None], dtype=pl.String).gather(
                (~has_rating).astype(np.int64)
            ),
            "comment": const(None, n, pl.String),
            "reopens": np.zeros(n, dtype=np.int64),
            "replies": np.zeros(n, dtype=np.int64),
            "reply_cal": const(None, n, pl.Int64),
            "reply_bus": const(None, n, pl.Int64),
            "full_cal": const(None, n, pl.Int64),
            "full_bus": const(None, n, pl.Int64),
            "solved_at": const(None, n, pl.Int64),
        }
    )
    comments = pl.Series(
        [*words.RATING_COMMENTS_GOOD, *words.RATING_COMMENTS_BAD], dtype=pl.String
    ).gather(
        np.where(
            good,
            rng.integers(0, len(words.RATING_COMMENTS_GOOD), n),
            len(words.RATING_COMMENTS_GOOD) + rng.integers(0, len(words.RATING_COMMENTS_BAD), n),
        )
    )
    changes = [
        changes_at(
            ids,
            t1 + never,
            status=pl.Series(["open", "pending"]).gather((rng.random(n) < 0.25).astype(int)),
            assignee_id=AGENT_BASE + rng.integers(0, staff.n_agents, n),
            replies=1,
            reply_cal=cal1.astype(np.int64),
            reply_bus=np.maximum(np.round(cal1 * bus), 1).astype(np.int64),
        ),
        changes_at(
            ids,
            t2 + never,
            status="solved",
            replies=replies2,
            solved_at=secs(t2),
            full_cal=cal2.astype(np.int64),
            full_bus=np.round(cal2 * bus).astype(np.int64),
            score=pl.Series(["offered", None], dtype=pl.String).gather(
                (~has_rating).astype(np.int64)
            ),
        ),
        changes_at(ids, t3 + never, status="open", reopens=1, replies=replies2 + 1),
        changes_at(
            ids,
            t4 + never,
            status="solved",
            replies=replies2 + 2,
            solved_at=secs(t4),
            full_cal=np.nan_to_num(cal4).astype(np.int64),
            full_bus=np.nan_to_num(np.round(cal4 * bus)).astype(np.int64),
        ),
        changes_at(
            ids,
            tr + never,
            score=pl.Series(np.where(good, "good", "bad")),
            comment=comments,
        ),
        changes_at(ids, tc + never, status="closed"),
        changes_at(ids, td, status="deleted"),
    ]
    v = replay(base, changes, cal.end * DAY, gone=pl.col("status") == "deleted", static=static)
    ticket_frame = v.select(
        pl.col("_k").alias("id"),
        "url",
        "created_at",
        pl.col("_t").alias("updated_at"),
        "type",
        "subject",
        "description",
        "priority",
        "status",
        "requester_id",
        "assignee_id",
        "organization_id",
        "tags",
        pl.col("score").alias("satisfaction_rating_score"),
        pl.col("comment").alias("satisfaction_rating_comment"),
        "via_channel",
    )
    metrics_frame = v.filter(pl.col("status") != "deleted").select(
        (METRIC_BASE + pl.col("_k")).alias("id"),
        pl.col("_k").alias("ticket_id"),
        "created_at",
        pl.col("_t").alias("updated_at"),
        "reopens",
        "replies",
        pl.col("reply_cal").alias("reply_time_in_minutes_calendar"),
        pl.col("reply_bus").alias("reply_time_in_minutes_business"),
        pl.col("full_cal").alias("full_resolution_time_in_minutes_calendar"),
        pl.col("full_bus").alias("full_resolution_time_in_minutes_business"),
        "solved_at",
    )
    return ticket_frame, metrics_frame
