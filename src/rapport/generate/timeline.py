"""The calendar of generated nights, vectorised event times, and record versions.

Generators work in float epoch days (NaN = never) and hand the writers Int64 epoch seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

DAY = 86_400
HISTORY_DAYS = 180
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Calendar:
    """Night `start` is the full load (with `HISTORY_DAYS` of history before it); the
    `days - 1` nights after it carry changes only."""

    start: date
    days: int

    @property
    def s0(self) -> int:
        """Epoch day of the first night."""
        return (self.start - EPOCH).days

    @property
    def h0(self) -> int:
        """Epoch day where the generated history starts."""
        return self.s0 - HISTORY_DAYS

    @property
    def end(self) -> int:
        """Epoch day after the last night: nothing at or after it has happened yet."""
        return self.s0 + self.days

    @property
    def nights(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=i) for i in range(self.days))


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parent index and rank within the parent, for `counts[i]` children of each parent i."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(counts.size), counts)
    rank = np.arange(parent.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return parent, rank


def poisson_times(
    rng: np.random.Generator, rate: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Parents and times of the events of a Poisson process with `rate` per day on [lo, hi)."""
    span = np.maximum(hi - lo, 0.0)
    parent, _ = expand(rng.poisson(rate * span))
    return parent, lo[parent] + rng.random(parent.size) * span[parent]


def office_hours(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """The same days, at a working hour (07:30 to 19:00 UTC)."""
    return np.floor(t) + rng.uniform(7.5 / 24, 19 / 24, t.size)


WEEKEND_ACTIVITY = 0.2  # business activity on a Saturday or Sunday, as a share of a weekday


def business_times(
    rng: np.random.Generator, rate: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Like `poisson_times` with the same weekly volume, but quiet at weekends
    (1970-01-01, epoch day 0, was a Thursday)."""
    boost = 7 / (5 + 2 * WEEKEND_ACTIVITY)
    parent, t = poisson_times(rng, rate * boost, lo, hi)
    weekend = (np.floor(t) + 3) % 7 >= 5
    kept = rng.random(t.size) < np.where(weekend, WEEKEND_ACTIVITY, 1.0)
    return parent[kept], t[kept]


def secs(t: np.ndarray) -> pl.Series:
    """Float epoch days (NaN = null) as Int64 epoch seconds."""
    return pl.Series(np.floor(np.asarray(t, dtype=np.float64) * DAY), nan_to_null=True).cast(
        pl.Int64
    )


def days(t: np.ndarray) -> pl.Series:
    """Float epoch days (NaN = null) as Int32 epoch days (a date)."""
    return pl.Series(np.floor(np.asarray(t, dtype=np.float64)), nan_to_null=True).cast(pl.Int32)


def const(value: str | None, n: int, dtype: pl.DataType = pl.String) -> pl.Series:
    """`n` times the same value."""
    return pl.select(pl.repeat(value, n, dtype=dtype)).to_series()


def ints(values: np.ndarray) -> pl.Series:
    """Non-negative integers as Int64, -1 = null."""
    values = np.asarray(values, dtype=np.int64)
    return pl.Series(values).set(pl.Series(values < 0), None)


def pick(
    rng: np.random.Generator, options: tuple, n: int, weights: Iterable[float] | None = None
) -> pl.Series:
    """`n` draws from `options` (None allowed among them), as a polars Series."""
    p = None if weights is None else np.asarray(tuple(weights), dtype=np.float64)
    idx = rng.choice(len(options), size=n, p=None if p is None else p / p.sum())
    return pl.Series(list(options), dtype=pl.String).gather(idx)


def changes_at(keys: np.ndarray, t: np.ndarray, **fields) -> pl.DataFrame:
    """Change rows (for `replay`) setting `fields` on the records whose time `t` is not NaN;
    a field's value is a scalar, an array or a Series aligned with `keys`."""
    m = ~np.isnan(t)
    cols: dict[str, object] = {"_k": keys[m], "_t": secs(t[m])}
    for name, values in fields.items():
        if isinstance(values, pl.Series):
            cols[name] = values.filter(pl.Series(m))
        elif isinstance(values, str):
            cols[name] = const(values, int(m.sum()))
        else:
            cols[name] = np.broadcast_to(values, m.shape)[m]
    return pl.DataFrame(cols)


_NULL_CODE = {"int": -1, "str": "\x00"}


def replay(
    base: pl.DataFrame,
    changes: Iterable[pl.DataFrame],
    until: int,
    gone: pl.Expr | None = None,
    static: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every version of every record, ordered by record (`_k`) and time (`_t`).

    `base` holds one full row per record at its creation (`_t`, epoch seconds), sorted by `_k`;
    each change row sets the fields it holds (null = unchanged) at its `_t`. Changes not after
    their record's creation are dropped, and so is everything at or after `until` (epoch
    seconds). With `gone` (a deletion test), versions after a record's deletion are dropped.
    `static` (aligned with `base`) holds the fields that never change; they are added to every
    version.
    """
    keys = base["_k"].to_numpy()
    if not base["_k"].is_sorted():
        raise ValueError("replay: base must be sorted by _k")
    born = base["_t"].to_numpy()
    valid = []
    for c in changes:
        if extra := set(c.columns) - set(base.columns):
            raise ValueError(f"replay: change columns {sorted(extra)} are not in the base")
        ck = c["_k"].to_numpy()
        pos = np.minimum(np.searchsorted(keys, ck), keys.size - 1)
        ok = (keys[pos] == ck) & (c["_t"].to_numpy() > born[pos])
        valid.append(c.filter(pl.Series(ok)))
    # Null fields of the base row are encoded so that a plain forward fill cannot carry a
    # value over from the previous record.
    codes: dict[str, object] = {}
    for name, dtype in base.schema.items():
        if name in ("_k", "_t") or base[name].null_count() == 0:
            continue
        if dtype.is_integer():
            codes[name] = _NULL_CODE["int"]
        elif dtype == pl.String:
            codes[name] = _NULL_CODE["str"]
        elif dtype.is_float():
            codes[name] = float("nan")
        else:
            raise TypeError(f"replay cannot hold nulls of {dtype} ({name})")
    base = base.with_columns(pl.col(n).fill_null(v) for n, v in codes.items())
    rows = (
        pl.concat([base, *valid], how="diagonal_relaxed")
        .filter(pl.col("_t") < until)
        .sort("_k", "_t", maintain_order=True)
        .with_columns(pl.exclude("_k", "_t").forward_fill())
    )
    decode = []
    for n, v in codes.items():
        is_code = pl.col(n).is_nan() if isinstance(v, float) else pl.col(n) == v
        decode.append(pl.when(is_code).then(None).otherwise(pl.col(n)).alias(n))
    rows = rows.with_columns(decode)
    # changes at the same second are one save: keep the state after the last of them
    k, t = pl.col("_k"), pl.col("_t")
    same_save = (k == k.shift(-1)) & (t == t.shift(-1))
    rows = rows.filter(~same_save.fill_null(False))
    if gone is not None:
        # deletions strictly before each row, counted within its record
        g = gone.fill_null(False).cast(pl.Int32)
        before = g.cum_sum() - g
        at_start = pl.when(k.ne_missing(k.shift(1))).then(before).otherwise(None).forward_fill()
        rows = rows.filter(before == at_start)
    if static is not None:
        rows = pl.concat(
            [rows, static[np.searchsorted(keys, rows["_k"].to_numpy())]], how="horizontal"
        )
    return rows
