"""The Dagster code location: `dagster dev -w workspace.yaml` (paths from `.env`)."""

from pipelines.defs import build_definitions
from pipelines.defs.resources import env_resources

defs = build_definitions(env_resources())
