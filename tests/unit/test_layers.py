"""The library never imports the orchestration: nothing under src/rapport imports `dagster`,
`dagster_dbt` or `pipelines`, at the top of a module or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rapport

LIBRARY = Path(rapport.__file__).parent
FORBIDDEN = ("dagster", "dagster_dbt", "pipelines")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "module", sorted(LIBRARY.rglob("*.py")), ids=lambda p: str(p.relative_to(LIBRARY))
)
def test_the_library_does_not_import_the_orchestration(module: Path) -> None:
    bad = {n for n in _imports(module) if n.split(".")[0] in FORBIDDEN}
    assert not bad, f"{module.relative_to(LIBRARY.parent)} imports {sorted(bad)}"
