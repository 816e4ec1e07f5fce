"""The dbt project, in a module of its own so `dagster-dbt project prepare-and-package` can
build the manifest without importing the definitions."""

from dagster_dbt import DbtProject

from rapport.project import dbt_project_dir

rapport_dbt_project = DbtProject(project_dir=dbt_project_dir(), profiles_dir=dbt_project_dir())
