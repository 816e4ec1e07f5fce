"""Where the dbt project and the default `rapport.toml` are.

An installed wheel carries them inside the package (`rapport/dbt_project`,
`rapport/rapport.toml`); a source checkout has them at its top level, beside
`pyproject.toml`, where this package is imported from.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def project_file(name: str) -> Path:
    """`name` inside the installed package, else in the checkout that holds this package."""
    packaged = PACKAGE_DIR / name
    if packaged.exists():
        return packaged
    for folder in PACKAGE_DIR.parents:
        if (folder / "pyproject.toml").is_file():
            return folder / name
    raise FileNotFoundError(f"{name} is neither in the package ({PACKAGE_DIR}) nor in a checkout")


def dbt_project_dir() -> Path:
    return project_file("dbt_project")


def default_config() -> Path:
    return project_file("rapport.toml")
