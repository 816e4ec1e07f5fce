"""The Dagster instance folder of an installation: a `dagster.yaml` that keeps it quiet."""

from __future__ import annotations

from pathlib import Path

DAGSTER_YAML = """\
# Written by Rapport when this Dagster instance had no configuration; it is yours to edit
# (never rewritten). Telemetry is off, like dbt's (DBT_SEND_ANONYMOUS_USAGE_STATS=false); the
# file also silences Dagster's "No dagster.yaml found" warning.
telemetry:
  enabled: false
# The ingest and publish steps are in pool `rapport_writer`: one run at a time may hold it
# (runs launched by the daemon, e.g. `dagster dev` sensors and schedules, queue for it).
# `rapport run` also takes the lake's lock (<lake>/state/run.lock), so runs from the CLI and
# the UI never overlap.
concurrency:
  pools:
    default_limit: 1
    granularity: run
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
