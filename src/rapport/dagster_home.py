"""The Dagster instance folder of an installation: a `dagster.yaml` that keeps it quiet."""

from __future__ import annotations

from pathlib import Path

DAGSTER_YAML = """\
# Written by Rapport when it first used this Dagster instance; edit freely, it is not rewritten.
# Telemetry off, like dbt's (DBT_SEND_ANONYMOUS_USAGE_STATS=false); having this file also
# silences Dagster's "No dagster.yaml found" warning.
telemetry:
  enabled: false
"""


def prepare_dagster_home(home: Path) -> Path:
    """Create the instance folder and its `dagster.yaml` unless one exists (yours wins)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return home


if __name__ == "__main__":  # `python -m rapport.dagster_home DIR`, used by `make ui`
    import sys

    print(prepare_dagster_home(Path(sys.argv[1])))
