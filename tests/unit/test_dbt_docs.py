"""When the dbt docs site may be reused: the same project, vars, profile and warehouse schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from rapport.dbt_docs import (
    SITE_FILE,
    docs_fingerprint,
    project_digest,
    record_fingerprint,
    reusable_site,
)

VARS = {"lake_root": "/lake", "raw_root": "/lake/raw"}
PROFILE = "rapport:\n  target: duckdb\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "dbt_project"
    (root / "models" / "marts").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: rapport\n")
    (root / "models" / "marts" / "risk.sql").write_text("select 1 as account_id\n")
    (root / "target").mkdir()
    (root / "target" / "manifest.json").write_text("{}")
    return root


@pytest.fixture
def build_db(tmp_path: Path) -> Path:
    path = tmp_path / "rapport_build.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.risk (account_id varchar, score double)")
    con.execute("comment on column marts.risk.score is 'loyalty risk'")
    con.execute("insert into marts.risk values ('A', 10)")
    con.close()
    return path


def _change(build_db: Path, sql: str) -> None:
    con = duckdb.connect(str(build_db))
    con.execute(sql)
    con.close()


def test_the_same_inputs_give_the_same_fingerprint(project, build_db):
    one = docs_fingerprint(project, VARS, PROFILE, build_db)
    assert docs_fingerprint(project, dict(reversed(VARS.items())), PROFILE, build_db) == one


def test_new_rows_leave_it_unchanged(project, build_db):
    before = docs_fingerprint(project, VARS, PROFILE, build_db)
    _change(build_db, "insert into marts.risk values ('B', 55)")
    assert docs_fingerprint(project, VARS, PROFILE, build_db) == before


@pytest.mark.parametrize(
    "sql",
    [
        "alter table marts.risk add column tier varchar",
        "comment on column marts.risk.score is 'another description'",
        "comment on table marts.risk is 'risk per account'",
        "create table marts.movers (account_id varchar)",
        "create view marts.risk_view as select * from marts.risk",
        "alter table marts.risk alter score type decimal(9, 2)",
    ],
)
def test_a_change_of_relations_columns_types_or_comments_changes_it(project, build_db, sql):
    before = docs_fingerprint(project, VARS, PROFILE, build_db)
    _change(build_db, sql)
    assert docs_fingerprint(project, VARS, PROFILE, build_db) != before


def test_the_project_the_vars_and_the_profile_are_part_of_it(project, build_db):
    before = docs_fingerprint(project, VARS, PROFILE, build_db)
    assert docs_fingerprint(project, {**VARS, "scorecard": {"v": 2}}, PROFILE, build_db) != before
    assert docs_fingerprint(project, VARS, PROFILE + "  threads: 4\n", build_db) != before
    (project / "models" / "marts" / "risk.sql").write_text("select 2 as account_id\n")
    assert docs_fingerprint(project, VARS, PROFILE, build_db) != before


def test_dbts_own_output_is_not_part_of_the_project(project):
    before = project_digest(project)
    (project / "target" / "manifest.json").write_text('{"changed": true}')
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("a line")
    assert project_digest(project) == before
    shutil.move(project / "models" / "marts" / "risk.sql", project / "models" / "risk.sql")
    assert project_digest(project) != before  # a moved file is another project


def test_a_site_is_reused_only_with_its_own_fingerprint(tmp_path):
    target = tmp_path / "docs"
    target.mkdir()
    assert reusable_site(target, "abc") is None  # nothing generated yet
    (target / SITE_FILE).write_text("<html>")
    assert reusable_site(target, "abc") is None  # generated, fingerprint unknown
    record_fingerprint(target, "abc")
    assert reusable_site(target, "abc") == target / SITE_FILE
    assert reusable_site(target, "abd") is None
    assert reusable_site(target, None) is None  # Spark: never reused
    record_fingerprint(target, None)
    assert reusable_site(target, "abc") is None
