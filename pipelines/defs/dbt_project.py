"""The dbt project, in a module of its own so `dagster-dbt project prepare-and-package` can
build the manifest without importing the definitions."""

from pathlib import Path

from dagster_dbt import DbtProject

rapport_dbt_project = DbtProject(
    project_dir=Path(__file__).resolve().parents[2] / "dbt_project",
    profiles_dir=Path(__file__).resolve().parents[2] / "dbt_project",
)
