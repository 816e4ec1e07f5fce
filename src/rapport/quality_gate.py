"""The quarantine gate: whether a file's quarantined rows stop the night, and by which rule.

A night's delta is small, so a share of the file alone stops a night for one bad row in 17.
Two settings in `rapport.toml` (`[quality]`) make the share fit nightly deltas:
`min_quarantined_rows`, the count of bad rows below which the share does not apply, and
`quarantine_share_of`, the base of the share: `file` (the rows the file delivered) or
`object` (the object's rows loaded up to and including that night: the first full load plus
every delta since).
"""

from __future__ import annotations

from dataclasses import dataclass

SHARE_BASES = ("file", "object")


@dataclass(frozen=True)
class GateRule:
    max_share: float = 0.05
    min_rows: int = 3
    share_of: str = "file"

    def __post_init__(self) -> None:
        if not 0 <= self.max_share <= 1:
            raise ValueError(
                f"quality.max_quarantined_share must be between 0 and 1, got {self.max_share}"
            )
        if self.min_rows < 1:
            raise ValueError(f"quality.min_quarantined_rows must be 1 or more, got {self.min_rows}")
        if self.share_of not in SHARE_BASES:
            raise ValueError(
                f"quality.quarantine_share_of must be one of {', '.join(SHARE_BASES)}, "
                f"got {self.share_of!r}"
            )


def quarantine_verdict(
    rule: GateRule, quarantined: int, rows_read: int, object_rows: int
) -> str | None:
    """None when the file passes; else why it stops the night, naming the rule and its base.
    `object_rows`: the object's rows loaded up to and including the night."""
    if quarantined < rule.min_rows:
        return None
    base = rows_read if rule.share_of == "file" else max(object_rows, rows_read)
    if quarantined <= rule.max_share * max(base, 1):
        return None
    where = f"the file's {base} rows" if rule.share_of == "file" else f"the object's {base} rows"
    return (
        f"{quarantined} of {rows_read} rows quarantined (more than {rule.max_share:.0%}) of "
        f"{where}, and at least {rule.min_rows}: rule [quality] max_quarantined_share = "
        f"{rule.max_share}, min_quarantined_rows = {rule.min_rows}, "
        f"quarantine_share_of = {rule.share_of!r}"
    )
