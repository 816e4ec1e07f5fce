"""CRM records over time: users, accounts with their field history, opportunities, tasks.

Each builder returns every version of its records (one row per change, `LastModifiedDate` =
the change's time) with the contract's columns plus a custom field or two; the writers pick
the versions each night delivers.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from rapport.generate import vocab
from rapport.generate.people import Contacts
from rapport.generate.timeline import (
    DAY,
    Calendar,
    business_times,
    changes_at,
    const,
    days,
    office_hours,
    pick,
    replay,
    secs,
)
from rapport.generate.variant import DEFAULT, Variant
from rapport.generate.world import (
    HISTORY,
    OPPORTUNITY,
    TASK,
    Accounts,
    Staff,
    refs,
    sf_ids,
)

ACCOUNT_TYPES = ("Customer", "Prospect", "Former Customer")
CUSTOMER, PROSPECT, FORMER = range(3)
STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
WON, LOST = 6, 7
PROBABILITY = (10, 10, 20, 50, 75, 90, 100, 0)
FORECAST = (
    "Pipeline",
    "Pipeline",
    "Pipeline",
    "Best Case",
    "Best Case",
    "Commit",
    "Closed",
    "Omitted",
)
RENEWAL_LOSS = (
    ("Competitor", "Price", "No Budget", "Product Fit", "No Decision"),
    (45, 30, 10, 10, 5),
)
UPSELL_LOSS = (("No Budget", "No Decision", "Price", "Competitor"), (40, 30, 20, 10))
PROSPECT_LOSS = (("No Decision", "Price", "Product Fit", "Competitor"), (40, 25, 20, 15))
TASK_TYPES = ("Call", "Email", "Meeting", "Follow-up")
TASK_STATUS = ("Not Started", "In Progress", "Completed", "Deferred")
NOT_STARTED, IN_PROGRESS, COMPLETED, DEFERRED = range(4)
FOLLOW_UP_BROKEN = (0.10, 0.55)  # share of follow-ups overdue or late: base, full ramp
ACTIVITY_KEPT = 0.30  # activity at full ramp, as a share of the account's own baseline


def _owner_at(acc: Accounts, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    changed = t >= np.nan_to_num(acc.t_owner[a], nan=np.inf)
    return np.where(changed, acc.owner1[a], acc.owner0[a])


def users(staff: Staff, cal: Calendar) -> pl.DataFrame:
    n = staff.n_owners
    k = np.arange(1, n + 1)
    first = pl.Series(vocab.FIRST_NAMES).gather(staff.owner_first)
    last = pl.Series(vocab.LAST_NAMES).gather(staff.owner_last)
    local = pl.DataFrame(
        {
            "f": pl.Series([vocab.ascii_lower(x) for x in vocab.FIRST_NAMES]).gather(
                staff.owner_first
            ),
            "l": pl.Series([vocab.ascii_lower(x) for x in vocab.LAST_NAMES]).gather(
                staff.owner_last
            ),
            "k": k,
        }
    ).select(
        pl.when(pl.struct("f", "l").is_first_distinct())
        .then(pl.col("f") + "." + pl.col("l"))
        .otherwise(pl.col("f") + "." + pl.col("l") + pl.col("k").cast(pl.String))
    )
    base = pl.DataFrame(
        {
            "_k": k,
            "_t": secs(staff.owner_created),
            "Name": first + " " + last,
            "Email": local.to_series() + "@rapport-demo.io",
            "Title": pl.Series(vocab.OWNER_TITLES).gather(staff.owner_title),
            "IsActive": np.ones(n, dtype=bool),
            "CreatedDate": secs(staff.owner_created),
        }
    )
    changes = [changes_at(k, staff.owner_deactivated, IsActive=False)]
    return replay(
        base, changes, cal.end * DAY, static=pl.DataFrame({"Id": staff.owner_ids})
    ).select(
        "Id",
        "Name",
        "Email",
        "Title",
        "IsActive",
        "CreatedDate",
        pl.col("_t").alias("LastModifiedDate"),
    )


def accounts(
    acc: Accounts, owners: pl.Series, cal: Calendar, rng: np.random.Generator, start: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Account versions and their field history (`crm.account_history`); `owners` are the CRM
    user Ids by owner index."""
    n = acc.n
    k = np.arange(n)
    # the state at the start of the history was last saved some time before it
    quiet_until = cal.h0 - 16
    base_t = np.where(
        acc.created < quiet_until,
        acc.created + (quiet_until - acc.created) * rng.random(n),
        acc.created,
    )
    static = pl.DataFrame(
        {
            "Id": acc.ids,
            "Name": acc.name,
            "Description": pl.Series([None, *vocab.ACCOUNT_DESCRIPTIONS], dtype=pl.String).gather(
                acc.description + 1
            ),
            "Industry": pl.Series(vocab.INDUSTRIES).gather(acc.industry),
            "BillingCountry": pl.Series(vocab.COUNTRIES).gather(acc.country),
            "AnnualRevenue": acc.revenue,
            "CreatedDate": secs(acc.created),
        }
    )
    base = pl.DataFrame(
        {
            "_k": k,
            "_t": secs(base_t),
            "Type": np.where(acc.customer, CUSTOMER, PROSPECT),
            "NumberOfEmployees": acc.employees,
            "OwnerId": acc.owner0,
            "ARR__c": acc.arr0,
            "Contract_End_Date__c": days(acc.contract_end),
            "Customer_Tier__c": pl.Series(vocab.TIERS)
            .gather(np.maximum(acc.tier, 0))
            .scatter(np.flatnonzero(acc.tier < 0), None),
            "IsDeleted": np.zeros(n, dtype=bool),
        }
    )
    # ARR moves by the amounts of the deals that change it: renewal uplift, upsell, downgrade.
    moves = [
        (acc.renew_t, acc.renew_delta),
        (np.where(acc.up_won, acc.t_up, np.nan), acc.up_amt),
        (acc.t_down, -acc.down_amt),
    ]
    arr_changes = []
    for t, delta in moves:
        after = acc.arr0 + delta
        for t2, d2 in moves:
            if t2 is not t:
                after = after + np.where(t2 < t, d2, 0.0)
        arr_changes.append(changes_at(k, t, ARR__c=after))
    changes = [
        *arr_changes,
        changes_at(k, acc.renew_t, Contract_End_Date__c=days(acc.contract_end + 365)),
        changes_at(k, acc.t_owner, OwnerId=acc.owner1),
        changes_at(k, acc.t_type, Type=FORMER),
        changes_at(k, acc.tier_t, Customer_Tier__c=pl.Series(vocab.TIERS).gather(acc.tier_new)),
        changes_at(k, acc.employees_t, NumberOfEmployees=acc.employees_new),
        changes_at(k, acc.t_deleted, IsDeleted=True),
    ]
    v = replay(base, changes, cal.end * DAY, gone=pl.col("IsDeleted"), static=static)
    v = v.with_columns(
        _owner=owners.gather(v["OwnerId"]),
        _type=pl.col("Type").replace_strict(range(3), ACCOUNT_TYPES, return_dtype=pl.String),
    )
    frame = v.select(
        "Id",
        "IsDeleted",
        "Name",
        "Description",
        pl.col("_type").alias("Type"),
        "Industry",
        "BillingCountry",
        "NumberOfEmployees",
        "AnnualRevenue",
        pl.col("_owner").alias("OwnerId"),
        pl.col("ARR__c").fill_nan(None).round(2),
        "Contract_End_Date__c",
        "Customer_Tier__c",
        "CreatedDate",
        pl.col("_t").alias("LastModifiedDate"),
    )
    return frame, _history(v, cal, start)


def _history(v: pl.DataFrame, cal: Calendar, start: int) -> pl.DataFrame:
    """One row per tracked field change, plus `created` for accounts born inside the history."""
    same = pl.col("_k") == pl.col("_k").shift(1)
    tracked = {
        "Owner": ("OwnerId", pl.col("_owner")),
        "Type": ("Type", pl.col("_type")),
        "ARR__c": ("ARR__c", pl.col("ARR__c").fill_nan(None).round(2).cast(pl.String)),
        "Contract_End_Date__c": (
            "Contract_End_Date__c",
            pl.from_epoch(pl.col("Contract_End_Date__c"), time_unit="d").dt.to_string("%Y-%m-%d"),
        ),
        "NumberOfEmployees": ("NumberOfEmployees", pl.col("NumberOfEmployees").cast(pl.String)),
        "Customer_Tier__c": ("Customer_Tier__c", pl.col("Customer_Tier__c")),
    }
    parts = [
        v.filter(~same.fill_null(False) & (pl.col("_t") >= pl.col("CreatedDate")))
        .filter(pl.col("CreatedDate") >= cal.h0 * DAY)
        .select(
            "Id",
            "_t",
            Field=pl.lit("created"),
            OldValue=pl.lit(None, dtype=pl.String),
            NewValue=pl.lit(None, dtype=pl.String),
        )
    ]
    for field, (col, text) in tracked.items():
        parts.append(
            v.with_columns(_old=text.shift(1), _new=text)
            .filter(same & pl.col(col).ne_missing(pl.col(col).shift(1)))
            .select("Id", "_t", Field=pl.lit(field), OldValue="_old", NewValue="_new")
        )
    h = pl.concat(parts).sort("_t", "Id", maintain_order=True)
    return h.select(
        sf_ids(HISTORY, start + np.arange(h.height)).alias("Id"),
        pl.col("Id").alias("AccountId"),
        "Field",
        "OldValue",
        "NewValue",
        pl.col("_t").alias("CreatedDate"),
    )


def _deals(
    rng: np.random.Generator,
    a: np.ndarray,
    label: str,
    created: np.ndarray,
    close: np.ndarray,
    outcome: int | np.ndarray,
    planned: np.ndarray,
    amount: np.ndarray,
    mid: np.ndarray | None = None,
    mid_stage: int = 0,
    loss: tuple[tuple[str, ...], tuple[int, ...]] | None = None,
    p_deleted: float = 0.0,
) -> pl.DataFrame:
    """Opportunities of one kind: created in an early stage, optionally moved to `mid_stage` at
    `mid`, closed with `outcome` at `close` (NaN = still open)."""
    n = a.size
    created = office_hours(rng, created)
    nan = np.full(n, np.nan)
    return pl.DataFrame(
        {
            "a": a,
            "Type": const(label, n),
            "created": created,
            "mid": nan if mid is None else office_hours(rng, mid),
            "mid_stage": np.full(n, mid_stage),
            "close": np.maximum(close, created + 0.01),
            "outcome": np.broadcast_to(outcome, (n,)),
            "planned": np.floor(np.maximum(planned, created + 1)),
            "amount": amount,
            "loss": pick(rng, loss[0], n, loss[1]) if loss else const(None, n),
            "open_stage": rng.integers(0, 2, n),
            "deleted": np.where(rng.random(n) < p_deleted, created + rng.uniform(1, 30, n), nan),
        }
    )


def opportunities(
    acc: Accounts, owners: pl.Series, cal: Calendar, rng: np.random.Generator, start: int
) -> pl.DataFrame:
    """New business, renewals (won on time, or stuck then lost for leavers), upsells, downgrades,
    and prospects' open deals."""
    u = rng.uniform
    ce = acc.contract_end
    cust = np.flatnonzero(acc.customer)
    nb_c = acc.created[cust] - u(20, 120, cust.size)
    healthy = np.flatnonzero(acc.customer & ~acc.leaver)
    stuck = np.flatnonzero(acc.has_stuck_renewal)
    lost_at = acc.t_lost[stuck]
    # most stuck renewals were opened on schedule, some only on the day they are lost
    stuck_c = np.where(
        rng.random(stuck.size) < 0.65,
        np.minimum(ce[stuck] - u(60, 100, stuck.size), lost_at - 0.05),
        lost_at - u(0.01, 0.2, stuck.size),
    )
    up = np.flatnonzero(~np.isnan(acc.t_up))
    up_c = acc.t_up[up] - u(20, 60, up.size)
    down = np.flatnonzero(~np.isnan(acc.t_down))
    pros = np.flatnonzero(~acc.customer & (rng.random(acc.n) < 0.5))
    pros_c = acc.created[pros] + u(0, 60, pros.size)
    o = pl.concat(
        [
            _deals(
                rng,
                cust,
                "New Business",
                nb_c,
                acc.created[cust],
                WON,
                nb_c + u(30, 120, cust.size),
                acc.arr0[cust],
                mid=nb_c + (acc.created[cust] - nb_c) * u(0.3, 0.7, cust.size),
                mid_stage=4,
            ),
            _deals(
                rng,
                healthy,
                "Renewal",
                ce[healthy] - u(60, 100, healthy.size),
                acc.renew_t[healthy],
                WON,
                ce[healthy],
                acc.arr0[healthy] + acc.renew_delta[healthy],
                mid=ce[healthy] - u(20, 50, healthy.size),
                mid_stage=5,
            ),
            _deals(
                rng,
                stuck,
                "Renewal",
                stuck_c,
                lost_at,
                LOST,
                ce[stuck],
                acc.arr0[stuck],
                loss=RENEWAL_LOSS,
            ),
            _deals(
                rng,
                up,
                "Upsell",
                up_c,
                acc.t_up[up],
                np.where(acc.up_won[up], WON, LOST),
                acc.t_up[up] + u(-5, 15, up.size),
                acc.up_amt[up],
                mid=np.where(rng.random(up.size) < 0.6, (up_c + acc.t_up[up]) / 2, np.nan),
                mid_stage=3,
                loss=UPSELL_LOSS,
                p_deleted=0.02,
            ),
            _deals(
                rng,
                down,
                "Downgrade",
                acc.t_down[down] - u(7, 30, down.size),
                acc.t_down[down],
                WON,
                acc.t_down[down],
                acc.down_amt[down],
            ),
            _deals(
                rng,
                pros,
                "New Business",
                pros_c,
                np.where(rng.random(pros.size) < 0.25, pros_c + u(20, 120, pros.size), np.nan),
                LOST,
                pros_c + u(30, 120, pros.size),
                np.round(u(5_000, 80_000, pros.size), -2),
                mid=np.where(rng.random(pros.size) < 0.6, pros_c + u(10, 40, pros.size), np.nan),
                mid_stage=2,
                loss=PROSPECT_LOSS,
                p_deleted=0.05,
            ),
        ]
    )
    n = o.height
    k = start + np.arange(n)
    a = o["a"].to_numpy()
    created = o["created"].to_numpy()
    close = o["close"].to_numpy()
    outcome = o["outcome"].to_numpy()
    year = pl.from_epoch(pl.Series(o["planned"].to_numpy().astype(np.int64)), time_unit="d")
    static = pl.DataFrame(
        {
            "Id": sf_ids(OPPORTUNITY, k),
            "AccountId": acc.ids.gather(a),
            "OwnerId": owners.gather(_owner_at(acc, a, created)),
            "Name": acc.name.gather(a) + " - " + o["Type"] + " " + year.dt.year().cast(pl.String),
            "Type": o["Type"],
            "Amount": o["amount"].round(2),
            "CreatedDate": secs(created),
        }
    )
    base = pl.DataFrame(
        {
            "_k": k,
            "_t": secs(created),
            "StageName": o["open_stage"],
            "CloseDate": days(o["planned"].to_numpy()),
            "Loss_Reason__c": const(None, n, pl.String),
            "IsDeleted": np.zeros(n, dtype=bool),
        }
    )
    changes = [
        changes_at(k, o["mid"].to_numpy(), StageName=o["mid_stage"].to_numpy()),
        changes_at(
            k,
            close,
            StageName=outcome,
            CloseDate=days(close),
            Loss_Reason__c=o.select(
                pl.when(pl.col("outcome") == LOST).then(pl.col("loss"))
            ).to_series(),
        ),
        changes_at(k, o["deleted"].to_numpy(), IsDeleted=True),
    ]
    v = replay(base, changes, cal.end * DAY, gone=pl.col("IsDeleted"), static=static)
    stage = pl.col("StageName")
    return v.select(
        "Id",
        "AccountId",
        "OwnerId",
        "Name",
        "Type",
        stage.replace_strict(list(range(8)), STAGES, return_dtype=pl.String).alias("StageName"),
        "Amount",
        stage.replace_strict(list(range(8)), PROBABILITY, return_dtype=pl.Int64).alias(
            "Probability"
        ),
        "CloseDate",
        (stage >= WON).alias("IsClosed"),
        (stage == WON).alias("IsWon"),
        "Loss_Reason__c",
        stage.replace_strict(list(range(8)), FORECAST, return_dtype=pl.String).alias(
            "ForecastCategoryName"
        ),
        "CreatedDate",
        pl.col("_t").alias("LastModifiedDate"),
        "IsDeleted",
    )


def tasks(
    acc: Accounts,
    people: Contacts,
    owners: pl.Series,
    cal: Calendar,
    rng: np.random.Generator,
    start: int,
    variant: Variant = DEFAULT,
) -> pl.DataFrame:
    """Calls, e-mails, meetings and follow-ups. Activity thins out along a leaver's ramp, and
    follow-ups are kept less often (overdue, or completed after their due date)."""
    lo = np.maximum(acc.created, cal.h0)
    a, t = business_times(rng, acc.task_rate, lo, np.full(acc.n, float(cal.end)))
    kept = variant.kept("quiet", ACTIVITY_KEPT)
    keep = np.where(acc.gone(a, t), 0.1, 1 - (1 - kept) * acc.ramp(a, t))
    m = rng.random(a.size) < keep
    a, t = a[m], office_hours(rng, t[m])
    n = a.size
    kind = rng.choice(4, size=n, p=(0.3, 0.35, 0.15, 0.2))
    call_or_mail = kind <= 1
    logged = call_or_mail & (rng.random(n) < 0.85)  # recorded after the fact, completed
    lead = np.where(call_or_mail, rng.integers(1, 8, n), rng.integers(2, 15, n))
    due = np.where(logged, np.floor(t), np.floor(t) + lead)
    p_broken = np.where(
        kind == 3, acc.lifted(a, t, *variant.lift("commitments", *FOLLOW_UP_BROKEN)), 0.05
    )
    broken = ~logged & (rng.random(n) < p_broken)
    u = rng.random(n)
    done = np.where(
        logged,
        t,
        np.where(
            ~broken,
            # kept: done at a working hour on or before the due day
            np.maximum(office_hours(rng, t + (due - t) * rng.uniform(0.2, 1.0, n)), t + 0.01),
            np.where(u < 0.5, office_hours(rng, due + 1 + rng.exponential(6, n)), np.nan),
        ),
    )
    deferred = np.where(broken & (u >= 0.9), office_hours(rng, due + rng.uniform(0, 3, n)), np.nan)
    wip_end = np.where(np.isnan(done), t + rng.uniform(1, 5, n), done)
    in_progress = np.where(~logged & (rng.random(n) < 0.25), t + (wip_end - t) * 0.5, np.nan)
    deleted = np.where(rng.random(n) < 0.005, t + rng.uniform(0.1, 20, n), np.nan)

    # Who the task is with: a contact of the account who is there at the time.
    c = people.first[a] + (rng.random(n) * people.count[a]).astype(np.int64)
    c = np.where(people.reachable(c, t), c, people.first[a])
    who = np.where(people.reachable(c, t) & (rng.random(n) >= 0.1), c, -1)

    sizes = np.array([len(vocab.TASK_SUBJECTS[x]) for x in TASK_TYPES])
    offsets = np.cumsum(sizes) - sizes
    subjects = pl.Series([s for x in TASK_TYPES for s in vocab.TASK_SUBJECTS[x]])
    notes = pl.Series([None, *vocab.TASK_NOTES], dtype=pl.String)
    k = start + np.arange(n)
    static = pl.DataFrame(
        {
            "Id": sf_ids(TASK, k),
            "AccountId": acc.ids.gather(a),
            "WhoId": refs(people.ids, who),
            "OwnerId": owners.gather(_owner_at(acc, a, t)),
            "Subject": subjects.gather(offsets[kind] + rng.integers(0, 4, n) % sizes[kind]),
            "Description": notes.gather(
                np.where(rng.random(n) < 0.2, rng.integers(1, len(notes), n), 0)
            ),
            "Type": pl.Series(TASK_TYPES).gather(kind),
            "ActivityDate": days(due),
            "CreatedDate": secs(t),
        }
    )
    base = pl.DataFrame(
        {
            "_k": k,
            "_t": secs(t),
            "Status": np.where(logged, COMPLETED, NOT_STARTED),
            "CompletedDateTime": secs(np.where(logged, t, np.nan)),
            "IsDeleted": np.zeros(n, dtype=bool),
        }
    )
    changes = [
        changes_at(k, in_progress, Status=IN_PROGRESS),
        changes_at(
            k, np.where(logged, np.nan, done), Status=COMPLETED, CompletedDateTime=secs(done)
        ),
        changes_at(k, deferred, Status=DEFERRED),
        changes_at(k, deleted, IsDeleted=True),
    ]
    v = replay(base, changes, cal.end * DAY, gone=pl.col("IsDeleted"), static=static)
    return v.select(
        "Id",
        "AccountId",
        "WhoId",
        "OwnerId",
        "Subject",
        "Description",
        "Type",
        pl.col("Status").replace_strict(list(range(4)), TASK_STATUS, return_dtype=pl.String),
        "ActivityDate",
        "CompletedDateTime",
        "CreatedDate",
        pl.col("_t").alias("LastModifiedDate"),
        "IsDeleted",
    )
