"""The Dagster code location: `dagster dev -w workspace.yaml` (paths from RAPPORT_* env vars)."""

from rapport.manifest import ensure_manifest

# @dbt_assets reads the dbt manifest at import: parse the project first when it changed
# (what DbtProject.prepare_if_dev does, but with this environment's dbt executable).
ensure_manifest()

from pipelines.defs import build_definitions  # noqa: E402
from pipelines.defs.resources import env_first_night, env_resources  # noqa: E402

# The nights' partitions start at the installation's first night: the landing and lake this
# code location serves are read when Dagster loads (or reloads) it.
defs = build_definitions(env_resources(), first_night=env_first_night())
