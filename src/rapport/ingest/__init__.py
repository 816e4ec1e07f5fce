"""Reading a night's delivery into the raw zone, with quarantine.

Landing ``<landing>/<source>/dt=<date>/<object>.<ext>`` (read only once ``_SUCCESS`` is
there) becomes typed Parquet in ``<lake>/raw/<source>/<object>/dt=<date>/``; faulty rows
and refused files are recorded in ``<lake>/quarantine/...`` and each loaded night in
a load record (paths: `rapport.lake.Lake`).
"""

from rapport.ingest.landing import (
    complete_deliveries,
    delivery_fingerprint,
    delivery_is_complete,
)
from rapport.ingest.load import ingest_delivery, ingest_object, loaded_deliveries
from rapport.ingest.results import IngestError, ObjectLoad

__all__ = [
    "IngestError",
    "ObjectLoad",
    "complete_deliveries",
    "delivery_fingerprint",
    "delivery_is_complete",
    "ingest_delivery",
    "ingest_object",
    "loaded_deliveries",
]
