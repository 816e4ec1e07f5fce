"""Generator variants: the same contract, written as another company's systems would write it.

A `Variant` changes four things, each independently (`docs/validity.md` lists them):

- `wording`: the vocabulary of tickets, rating and survey comments (`default`, or `alt`, a
  second vocabulary written separately, `vocab_alt.py`).
- `encoding`: the value forms of the files (`contract`, the forms the contract shows, or
  `export`, other spellings a real export takes: booleans as TRUE/1/yes/t, Qualtrics answers as
  choice text in any case, whole amounts without decimals).
- `mix`: how strongly each behaviour precedes a defection, a factor per behaviour
  (`BEHAVIOURS`; 1 = as the default generator, 0 = the behaviour does not precede defection,
  2 = twice the lift over the base rate). `complaints` and `tenure` are 0 by default.
- noise: `false_alarms` is the share of staying customers that go through a spell of a
  leaver's behaviour and stay; `base_noise` multiplies the base rates at which the behaviours
  show on any account.

`Variant()` is the default generator: every code path it touches is the one it had before
variants existed, so the default output stays byte-identical for a seed. Draws a variant needs
beyond the default's come from `extra_rng`, a child stream that leaves the default stream as it
was, so a variant differs from the default only in what it asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType

import numpy as np

from rapport.generate import vocab, vocab_alt

WORDINGS = ("default", "alt")
ENCODINGS = ("contract", "export")
# behaviour -> what it drives in the generator (and its default factor)
BEHAVIOURS: Mapping[str, str] = MappingProxyType(
    {
        "shopping": "shopping language in tickets and survey comments",
        "alternatives": "surveys answering 'evaluated alternatives: yes'",
        "quiet": "fewer calls, meetings and e-mails, and fewer survey answers",
        "contact_lost": "the champion or economic buyer leaves",
        "owner_change": "the relationship owner changes",
        "commitments": "follow-up tasks overdue or kept late",
        "service": "slow first replies, reopened tickets, the same problem again",
        "ticket_volume": "more tickets than the account's own baseline",
        "commercial": "downgrades and lost upsells",
        "complaints": "problem/incident tickets and bad ticket ratings (0 by default)",
        "tenure": "leavers that are new customers (0 by default)",
    }
)
_DEFAULT_ZERO = frozenset({"complaints", "tenure"})


@dataclass(frozen=True)
class Variant:
    """How this generation differs from the default generator (see the module docstring)."""

    wording: str = "default"
    encoding: str = "contract"
    mix: Mapping[str, float] = field(default_factory=dict)
    false_alarms: float = 0.0
    base_noise: float = 1.0
    # when leavers defect: the share of them defecting inside the generated nights, from this
    # share of the nights on (the default: 30 %, in the second half); the others defect 2-12
    # weeks after the last night
    in_window: float = 0.30
    defections_from: float = 0.5

    def __post_init__(self) -> None:
        if self.wording not in WORDINGS:
            raise ValueError(f"wording {self.wording!r}: expected one of {', '.join(WORDINGS)}")
        if self.encoding not in ENCODINGS:
            raise ValueError(f"encoding {self.encoding!r}: expected one of {', '.join(ENCODINGS)}")
        unknown = sorted(set(self.mix) - set(BEHAVIOURS))
        if unknown:
            raise ValueError(
                f"mix: unknown behaviour(s) {', '.join(unknown)}; known: {', '.join(BEHAVIOURS)}"
            )
        if any(f < 0 for f in self.mix.values()):
            raise ValueError("mix: factors must be at least 0")
        if not 0.0 <= self.false_alarms <= 1.0:
            raise ValueError("false_alarms is a share, between 0 and 1")
        if self.base_noise < 0:
            raise ValueError("base_noise must be at least 0")
        if not (0.0 <= self.in_window <= 1.0 and 0.0 <= self.defections_from < 1.0):
            raise ValueError("in_window is a share (0-1), defections_from a share below 1")
        object.__setattr__(self, "mix", MappingProxyType(dict(self.mix)))

    @property
    def is_default(self) -> bool:
        return self == Variant()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Variant):
            return NotImplemented
        return self.describe() == other.describe()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.describe().items(), key=str)))

    @property
    def words(self) -> ModuleType:
        """The vocabulary module of this wording."""
        return vocab_alt if self.wording == "alt" else vocab

    def strength(self, behaviour: str) -> float:
        """The factor of `behaviour` (1, or 0 for the behaviours the default lacks)."""
        return float(self.mix.get(behaviour, 0.0 if behaviour in _DEFAULT_ZERO else 1.0))

    def lift(self, behaviour: str, base: float, ramped: float) -> tuple[float, float]:
        """A probability's (base rate, value at full ramp) under this variant: the base rate
        times `base_noise`, the lift over it times the behaviour's factor, within [0, 1]."""
        s = self.strength(behaviour)
        if s == 1.0 and self.base_noise == 1.0:
            return base, ramped
        b = min(1.0, base * self.base_noise)
        return b, float(np.clip(b + (ramped - base) * s, 0.0, 1.0))

    def kept(self, behaviour: str, kept_at_ramp: float) -> float:
        """A share of the usual volume left at full ramp (activity, survey answers)."""
        s = self.strength(behaviour)
        if s == 1.0:
            return kept_at_ramp
        return float(np.clip(1.0 - (1.0 - kept_at_ramp) * s, 0.0, 1.0))

    def describe(self) -> dict[str, object]:
        """The variant as plain data (for reports and results files)."""
        return {
            "wording": self.wording,
            "encoding": self.encoding,
            "mix": {b: self.strength(b) for b in BEHAVIOURS},
            "false_alarms": self.false_alarms,
            "base_noise": self.base_noise,
            "in_window": self.in_window,
            "defections_from": self.defections_from,
        }


DEFAULT = Variant()


def extra_rng(rng: np.random.Generator) -> np.random.Generator:
    """A child stream for a variant's own draws; `rng`'s own sequence is left unchanged."""
    return rng.spawn(1)[0]


def parse_mix(text: str) -> dict[str, float]:
    """`shopping=0.5,complaints=1` -> {"shopping": 0.5, "complaints": 1.0}."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"mix: {part!r} is not behaviour=factor")
        try:
            mix[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"mix: {value!r} (for {name.strip()}) is not a number") from None
    return mix
