"""Great Expectations suites on the raw zone, derived from the extract contract.

``validate_night(lake, quality_dir, source, extract_date)`` validates each object of one
source's delivery and returns one `ObjectValidation` per object; a blocking failure means
the night must stop, a warning is only reported. ``validate_nights`` does the same for a
range of nights with one validation per object and batch of nights (`rapport.quality.nights`).
"""

from rapport.quality.nights import validate_nights
from rapport.quality.result import ObjectValidation
from rapport.quality.suites import BLOCKING, WARNING, build_suite
from rapport.quality.validate import result_path, validate_night

__all__ = [
    "BLOCKING",
    "WARNING",
    "ObjectValidation",
    "build_suite",
    "result_path",
    "validate_night",
    "validate_nights",
]
