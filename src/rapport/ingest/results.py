"""What an ingest returns (a load per file) and raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class IngestError(Exception):
    """A programming or configuration error: missing folder, incomplete delivery, unknown source.

    Bad data never raises: it ends in quarantine or as a rejected file.
    """


class FileRejected(Exception):
    """Raised inside the package when a whole file must be refused.

    ``reason`` says why; ``rows`` is how many records the file holds when they could be
    counted (0 otherwise).
    """

    def __init__(self, reason: str, rows: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.rows = rows


@dataclass(frozen=True)
class ObjectLoad:
    """What happened to one landing file. ``rows_read == rows_loaded + rows_quarantined``."""

    source: str
    object: str
    extract_date: date
    file: str  # relative to the landing root, e.g. crm/dt=2026-11-01/accounts.csv
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rejected: str | None = None  # why the whole file was refused
    sha256: str | None = None  # of the landing file; None when it is missing

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_loaded + self.rows_quarantined:
            raise ValueError(f"inconsistent counts in {self}")

    @property
    def ok(self) -> bool:
        """The file was accepted (some of its rows may still be in quarantine)."""
        return self.rejected is None

    def summary(self) -> str:
        head = f"{self.source}.{self.object} dt={self.extract_date.isoformat()}"
        if self.rejected is not None:
            return f"{head}: REJECTED ({self.rejected}), {self.rows_read} rows not loaded"
        return (
            f"{head}: {self.rows_read} read, {self.rows_loaded} loaded, "
            f"{self.rows_quarantined} quarantined"
        )
