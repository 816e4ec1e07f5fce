"""Where the dbt project and the `rapport.toml` in use are.

An installed wheel carries them inside the package (`rapport/dbt_project`,
`rapport/rapport.toml`); a source checkout has them at its top level, beside
`pyproject.toml`, where this package is imported from.
"""

from __future__ import annotations

import os
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


#: names the installation's own `rapport.toml` (`rapport --config FILE` sets it for its run)
CONFIG_ENV = "RAPPORT_CONFIG"


def chosen_config() -> Path | None:
    """The file $RAPPORT_CONFIG names (read now, at each call), if it names one."""
    named = os.environ.get(CONFIG_ENV, "").strip()
    return Path(named).expanduser().resolve() if named else None


def default_config() -> Path:
    """The `rapport.toml` in use: the one $RAPPORT_CONFIG names, else the project's own."""
    return chosen_config() or project_file("rapport.toml")
