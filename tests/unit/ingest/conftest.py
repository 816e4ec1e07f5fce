"""Hypothesis profiles for the ingest fuzz test: a fixed-seed bounded run by default (the
fast lane), thousands of cases with `make fuzz` (`--hypothesis-profile=fuzz`)."""

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("default", max_examples=40, derandomize=True, **_COMMON)
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "3000")), **_COMMON
)
settings.load_profile("default")
