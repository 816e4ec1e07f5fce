"""The latent world: accounts with their hidden segment and fate, and our own staff.

Everything the extracts later show about an account (its surveys, tickets, tasks, deals) is
drawn from what is decided here: its segment, whether and when it defects, and when the
behavioural ramp before the defection starts. Times are float epoch days, NaN = never.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from rapport.generate import vocab
from rapport.generate.timeline import Calendar, office_hours
from rapport.generate.variant import DEFAULT, Variant, extra_rng

SEGMENTS = ("loyal", "satisfied_leaving", "unsatisfied_leaving", "unsatisfied_staying", "prospect")
LOYAL, SAT_LEAVING, UNSAT_LEAVING, UNSAT_STAYING, PROSPECT = range(5)
# customers split 55/15/10/20; prospects come on top, ~10% of the customers
SEGMENT_SHARES = (*(p * 10 / 11 for p in (0.55, 0.15, 0.10, 0.20)), 1 / 11)
IN_WINDOW_SHARE = 0.30  # of leavers defecting inside the generated nights (second half)
RAMP_DAYS = (35.0, 70.0)  # signals build up over 5-10 weeks before a defection
RAMP_RISE = 0.25  # share of the ramp over which they reach full strength
EVENTS_IN_RAMP = (0.0, 0.5)  # where in the ramp one-off events (champion leaves, ...) fall
TENURE_SHARE = 0.5  # of leavers that are new customers, per unit of the `tenure` mix
TENURE_DAYS = (60.0, 300.0)  # a new customer that leaves: created this long before defecting
ACCOUNTS_PER_OWNER = 150
ACCOUNTS_PER_AGENT = 400

# How a defection shows in the CRM (both are "defection" in the contract; the first one counts):
BOTH_AT_ONCE, RENEWAL_LOST_FIRST, TYPE_ONLY = range(3)

ACCOUNT, CONTACT, OPPORTUNITY, TASK, USER, HISTORY = "001", "003", "006", "00T", "005", "017"


_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_CASE_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", np.uint8)
_BITS = (1 << np.arange(5)).astype(np.uint8)


def sf_ids(prefix: str, numbers: np.ndarray) -> pl.Series:
    """Salesforce's 18-character Ids: key prefix, pod, a base-62 record number, and the
    three-character suffix that encodes the case of the first fifteen."""
    x = np.asarray(numbers, dtype=np.int64)
    out = np.empty((x.size, 18), dtype=np.uint8)
    out[:, :6] = np.frombuffer(f"{prefix}5g0".encode(), np.uint8)
    for i in range(14, 5, -1):
        x, digit = np.divmod(x, 62)
        out[:, i] = _BASE62[digit]
    upper = (out[:, :15] >= ord("A")) & (out[:, :15] <= ord("Z"))
    out[:, 15:] = _CASE_SUFFIX[upper.reshape(-1, 3, 5).astype(np.uint8) @ _BITS]
    return pl.Series(out.view("S18").ravel()).cast(pl.String)


def refs(ids: pl.Series, idx: np.ndarray) -> pl.Series:
    """`ids[idx]`, with null where `idx` is -1."""
    idx = np.asarray(idx, dtype=np.int64)
    return ids.gather(np.maximum(idx, 0)).scatter(np.flatnonzero(idx < 0), None)


@dataclass
class Accounts:
    """One chunk of accounts; arrays are indexed by the chunk-local account index."""

    g: np.ndarray  # global index (the number inside the account Id)
    seg: np.ndarray
    created: np.ndarray
    defect: np.ndarray  # defection time
    ramp_start: np.ndarray
    ramp_len: np.ndarray
    t_type: np.ndarray  # Type becomes Former Customer
    t_lost: np.ndarray  # the Renewal opportunity closes lost
    has_stuck_renewal: np.ndarray  # leaver with a renewal opportunity that does not move
    contract_end: np.ndarray  # Contract_End_Date__c (epoch day) at the start of the history
    renew_t: np.ndarray  # healthy renewal closes won, contract end moves a year on
    renew_delta: np.ndarray
    arr0: np.ndarray
    employees: np.ndarray
    revenue: np.ndarray
    industry: np.ndarray
    country: np.ndarray
    tier: np.ndarray
    tier_t: np.ndarray
    tier_new: np.ndarray
    employees_t: np.ndarray
    employees_new: np.ndarray
    owner0: np.ndarray
    owner1: np.ndarray
    t_owner: np.ndarray
    t_rel: np.ndarray  # champion or economic buyer leaves
    rel_buyer: np.ndarray  # the one leaving is the economic buyer (else the champion)
    rel_kind: np.ndarray  # 0 e-mail bounces, 1 contact deleted, 2 both
    rel_replaced: np.ndarray
    t_down: np.ndarray
    down_amt: np.ndarray
    t_up: np.ndarray
    up_won: np.ndarray
    up_amt: np.ndarray
    task_rate: np.ndarray
    ticket_rate: np.ndarray
    survey_rate: np.ndarray
    pain_topic: np.ndarray
    has_org: np.ndarray
    org_linked: np.ndarray  # organization carries the CRM Id as external_id
    t_deleted: np.ndarray
    description: np.ndarray  # index into ACCOUNT_DESCRIPTIONS, -1 = none
    name: pl.Series
    domain: pl.Series
    ids: pl.Series  # the CRM Ids
    calm: np.ndarray | None = None  # false alarms: the end of a spell of a leaver's behaviour

    @property
    def n(self) -> int:
        return self.g.size

    @property
    def customer(self) -> np.ndarray:
        return self.seg != PROSPECT

    @property
    def leaver(self) -> np.ndarray:
        return (self.seg == SAT_LEAVING) | (self.seg == UNSAT_LEAVING)

    @property
    def satisfied(self) -> np.ndarray:
        return (self.seg == LOYAL) | (self.seg == SAT_LEAVING)

    def ramp(self, a: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Strength (0-1) of the defection signals of accounts `a` at times `t`."""
        x = (t - self.ramp_start[a]) / (RAMP_RISE * self.ramp_len[a])
        if self.calm is not None:
            x = np.where(t >= self.calm[a], 0.0, x)
        return np.clip(np.nan_to_num(x, nan=0.0), 0.0, 1.0)

    def lifted(self, a: np.ndarray, t: np.ndarray, base: float, ramped: float) -> np.ndarray:
        """A probability at its base rate, moving to `ramped` along the defection ramp."""
        return base + (ramped - base) * self.ramp(a, t)

    def gone(self, a: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The account has defected by `t`."""
        return t >= np.nan_to_num(self.defect[a], nan=np.inf)

    def labels(self) -> pl.DataFrame:
        leaver = self.leaver
        return pl.DataFrame(
            {
                "account_id": self.ids,
                "segment": pl.Series(SEGMENTS).gather(self.seg),
                "defects": leaver,
                "defection_date": pl.Series(np.floor(self.defect), nan_to_null=True)
                .cast(pl.Int32)
                .cast(pl.Date),
                "ramp_start": pl.Series(np.floor(self.ramp_start), nan_to_null=True)
                .cast(pl.Int32)
                .cast(pl.Date),
            }
        )


def _lognormal_mean1(rng: np.random.Generator, sigma: float, n: int) -> np.ndarray:
    return rng.lognormal(-sigma * sigma / 2, sigma, n)


def make_accounts(
    rng: np.random.Generator,
    g: np.ndarray,
    cal: Calendar,
    n_owners: int,
    variant: Variant = DEFAULT,
) -> Accounts:
    n = g.size
    vrng = extra_rng(rng)  # the variant's own draws
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARES)
    customer = seg != PROSPECT
    leaver = (seg == SAT_LEAVING) | (seg == UNSAT_LEAVING)
    h0, s0, end = cal.h0, cal.s0, cal.end

    # When each account was created: most customers long ago, a few new ones inside the history.
    new_customer = customer & ~leaver & (rng.random(n) < 0.08)
    created = np.where(
        customer,
        np.where(new_customer, rng.uniform(h0, s0 - 20, n), h0 - 30 - rng.exponential(700, n)),
        rng.uniform(h0 - 200, end, n),
    )
    created = office_hours(rng, created)

    # Leavers: the defection day, the ramp before it, and how it shows in the CRM.
    first_in = s0 + -(-cal.days // 2)  # second half of the nights
    in_window_share = IN_WINDOW_SHARE
    if (variant.in_window, variant.defections_from) != (IN_WINDOW_SHARE, 0.5):
        first_in = s0 + int(np.ceil(cal.days * variant.defections_from))
        in_window_share = variant.in_window
    in_window = (rng.random(n) < in_window_share) & (first_in < end)
    day_in = rng.integers(min(first_in, end - 1), end, n)
    # 2-12 weeks after the last night, closer ones more likely: most ramps have begun by then
    day_after = end - 1 + 14 + np.floor(70 * rng.beta(1.0, 3.0, n))
    defect_day = np.where(leaver, np.where(in_window, day_in, day_after), np.nan)
    defect = office_hours(rng, defect_day)
    ramp_len = np.where(leaver, rng.uniform(*RAMP_DAYS, n), np.nan)
    ramp_start = defect - ramp_len
    if variant.strength("tenure"):
        young = leaver & (vrng.random(n) < TENURE_SHARE * variant.strength("tenure"))
        created = np.where(
            young, office_hours(vrng, defect_day - vrng.uniform(*TENURE_DAYS, n)), created
        )
    mode = rng.choice(3, size=n, p=(0.5, 0.25, 0.25))
    contract_end = np.where(
        leaver,
        defect_day + rng.integers(0, 31, n),
        np.where(new_customer, np.floor(created) + 365, h0 + 1 + rng.integers(0, 365, n)),
    )
    contract_end = np.where(customer, contract_end, np.nan)
    at_contract_end = office_hours(rng, contract_end)
    t_type = np.where(mode == RENEWAL_LOST_FIRST, np.maximum(at_contract_end, defect), defect)
    has_stuck_renewal = leaver & ((mode != TYPE_ONLY) | (rng.random(n) < 0.5))
    t_lost = np.where(
        has_stuck_renewal,
        np.where(mode == TYPE_ONLY, np.maximum(at_contract_end, defect), defect),
        np.nan,
    )
    renew_t = np.where(
        customer & ~leaver, office_hours(rng, contract_end - rng.integers(0, 16, n)), np.nan
    )

    arr0 = np.where(customer, np.round(rng.lognormal(np.log(30_000), 1.0, n), -2) + 1_000, np.nan)
    employees = np.maximum(5, rng.lognormal(np.log(250), 1.2, n)).astype(np.int64)
    revenue = np.round(employees * rng.lognormal(np.log(200_000), 0.4, n), -3)
    tier = np.where(arr0 > 100_000, 2, np.where(arr0 > 25_000, 1, 0))
    tier = np.where(customer, tier, -1)

    earliest = created + 30  # nothing happens to an account in its first month

    def event(
        behaviour: str,
        p_leaver: float,
        p_base: float,
        eligible: np.ndarray,
        lo: float = h0,
        hi: float = end,
    ) -> np.ndarray:
        """Time of a one-off event: inside the ramp for leavers, in [lo, hi) for the others."""
        p_base, p_leaver = variant.lift(behaviour, p_base, p_leaver)
        in_ramp = ramp_start + ramp_len * rng.uniform(*EVENTS_IN_RAMP, n)
        anywhere = rng.uniform(lo, hi, n)
        happens = eligible & (rng.random(n) < np.where(leaver, p_leaver, p_base))
        t = np.where(leaver, in_ramp, anywhere)
        return np.where(happens, office_hours(rng, np.maximum(t, earliest)), np.nan)

    owner0 = rng.integers(0, n_owners, n)
    # a leaver's upsells are won less often; the lift of `commercial` scales the gap
    s_commercial = variant.strength("commercial")
    upsell_won_leaver = 0.2 if s_commercial == 1.0 else max(0.0, 0.65 - 0.45 * s_commercial)
    calm = None
    if variant.false_alarms:
        # staying customers with a spell of a leaver's behaviour that passes
        alarm = customer & ~leaver & (vrng.random(n) < variant.false_alarms)
        spell = vrng.uniform(*RAMP_DAYS, n)
        begins = vrng.uniform(h0, end, n)
        ramp_len = np.where(alarm, spell, ramp_len)
        ramp_start = np.where(alarm, begins, ramp_start)
        calm = np.where(alarm, begins + spell, np.nan)
    names = pl.DataFrame(
        {
            "head": pl.Series(vocab.NAME_HEADS).gather(rng.integers(0, len(vocab.NAME_HEADS), n)),
            "tail": pl.Series(vocab.NAME_TAILS).gather(rng.integers(0, len(vocab.NAME_TAILS), n)),
            "suffix": pl.Series(vocab.NAME_SUFFIXES).gather(
                rng.integers(0, len(vocab.NAME_SUFFIXES), n)
            ),
            "tld": pl.Series(vocab.TLDS).gather(rng.integers(0, len(vocab.TLDS), n)),
            "g": g,
        }
    ).select(
        name=pl.col("head") + pl.col("tail") + pl.col("suffix"),
        domain=(pl.col("head") + pl.col("tail")).str.to_lowercase()
        + pl.col("g").cast(pl.String)
        + pl.col("tld"),
    )
    return Accounts(
        g=g,
        seg=seg,
        created=created,
        defect=defect,
        ramp_start=ramp_start,
        ramp_len=ramp_len,
        t_type=t_type,
        t_lost=t_lost,
        has_stuck_renewal=has_stuck_renewal,
        contract_end=contract_end,
        renew_t=renew_t,
        renew_delta=np.round(arr0 * rng.uniform(0.0, 0.07, n), -1),
        arr0=arr0,
        employees=employees,
        revenue=revenue,
        industry=rng.integers(0, len(vocab.INDUSTRIES), n),
        country=rng.integers(0, len(vocab.COUNTRIES), n),
        tier=tier,
        tier_t=np.where(customer & (rng.random(n) < 0.08), rng.uniform(h0, end, n), np.nan),
        tier_new=(tier + rng.integers(1, 3, n)) % 3,
        employees_t=np.where(rng.random(n) < 0.3, rng.uniform(h0, end, n), np.nan),
        employees_new=np.maximum(5, employees * rng.uniform(0.85, 1.3, n)).astype(np.int64),
        owner0=owner0,
        owner1=(owner0 + rng.integers(1, n_owners, n)) % n_owners,
        t_owner=event("owner_change", 0.20, 0.03, np.ones(n, dtype=bool)),
        t_rel=np.maximum(event("contact_lost", 0.40, 0.02, customer), created + 12),
        rel_buyer=rng.random(n) < 0.4,
        rel_kind=rng.choice(3, size=n, p=(0.5, 0.2, 0.3)),
        rel_replaced=rng.random(n) < np.where(leaver, 0.15, 0.35),
        t_down=event("commercial", 0.22, 0.03, customer),
        down_amt=np.round(arr0 * rng.uniform(0.1, 0.45, n), -2),
        t_up=event("commercial", 0.25, 0.12, customer, h0 + 20, end + 60),
        up_won=rng.random(n) < np.where(leaver, upsell_won_leaver, 0.65),
        up_amt=np.round(arr0 * rng.uniform(0.1, 0.4, n), -2),
        task_rate=np.where(customer, 15 / 180, 5 / 180) * _lognormal_mean1(rng, 0.5, n),
        ticket_rate=np.where(customer, 5.5 / 180, 1 / 180) * _lognormal_mean1(rng, 0.6, n),
        survey_rate=np.where(customer, 2.0 / 180, 0.0) * _lognormal_mean1(rng, 0.3, n),
        pain_topic=rng.integers(0, len(vocab.TICKET_TOPICS), n),
        has_org=customer | (rng.random(n) < 0.15),
        org_linked=rng.random(n) >= 0.02,
        t_deleted=np.where(
            ~customer & (rng.random(n) < 0.015), rng.uniform(np.maximum(created, h0), end), np.nan
        ),
        description=np.where(
            rng.random(n) < 0.3, rng.integers(0, len(vocab.ACCOUNT_DESCRIPTIONS), n), -1
        ),
        name=names["name"],
        domain=names["domain"],
        ids=sf_ids(ACCOUNT, g),
        calm=calm,
    )


@dataclass
class Staff:
    """Our side: CRM users (relationship owners) and help-desk agents."""

    owner_first: np.ndarray
    owner_last: np.ndarray
    owner_title: np.ndarray
    owner_created: np.ndarray
    owner_deactivated: np.ndarray
    agent_first: np.ndarray
    agent_last: np.ndarray
    agent_admin: np.ndarray
    agent_created: np.ndarray

    @cached_property
    def owner_ids(self) -> pl.Series:
        """CRM user Ids of the owners, by owner index."""
        return sf_ids(USER, np.arange(1, self.n_owners + 1))

    @property
    def n_owners(self) -> int:
        return self.owner_first.size

    @property
    def n_agents(self) -> int:
        return self.agent_first.size


def make_staff(rng: np.random.Generator, n_accounts: int, cal: Calendar) -> Staff:
    n_own = max(8, -(-n_accounts // ACCOUNTS_PER_OWNER))
    n_ag = max(5, -(-n_accounts // ACCOUNTS_PER_AGENT))
    n_first, n_last = len(vocab.FIRST_NAMES), len(vocab.LAST_NAMES)
    return Staff(
        owner_first=rng.integers(0, n_first, n_own),
        owner_last=rng.integers(0, n_last, n_own),
        owner_title=rng.integers(0, len(vocab.OWNER_TITLES), n_own),
        owner_created=office_hours(rng, cal.h0 - rng.uniform(30, 2000, n_own)),
        owner_deactivated=np.where(
            rng.random(n_own) < 0.04, office_hours(rng, rng.uniform(cal.h0, cal.end, n_own)), np.nan
        ),
        agent_first=rng.integers(0, n_first, n_ag),
        agent_last=rng.integers(0, n_last, n_ag),
        agent_admin=rng.random(n_ag) < 0.1,
        agent_created=office_hours(rng, cal.h0 - rng.uniform(10, 1500, n_ag)),
    )
