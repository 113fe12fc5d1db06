"""PostgreSQL: the app role may append to the audit trail and nothing more; connected as
that role, UPDATE, DELETE, TRUNCATE, DROP TRIGGER and DISABLE TRIGGER all fail. Runs on the
real server when SYRMAK_TEST_DATABASE_URL is set."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.privacy import audit, grants
from syrmak.store.db import normalise_url
from syrmak.study import Study
from tests.conftest import PG_URL


@pytest.mark.store("sqlite")
def test_an_app_role_is_a_postgresql_matter(study):
    with pytest.raises(SyrmakError) as info:
        grants.grant_app_role(study, "syrmak_app")
    assert info.value.code == "not-postgresql"


@pytest.fixture
def pg_study(study):
    """The study on PostgreSQL (tests using it are marked ``store("postgresql")``)."""
    assert study.engine.dialect.name == "postgresql"
    return study


@pytest.fixture
def role(pg_study):
    name = f"app_{uuid.uuid4().hex[:10]}"
    yield name
    admin = sa.create_engine(normalise_url(PG_URL))
    with admin.begin() as connection:
        if connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                              {"r": name}).scalar():
            connection.execute(sa.text(f"DROP OWNED BY {name}"))
            connection.execute(sa.text(f"DROP ROLE {name}"))
    admin.dispose()


def _as(study, role):
    return sa.engine.make_url(study.engine.url).set(username=role).render_as_string(
        hide_password=False)


@pytest.mark.store("postgresql")
def test_the_app_role_appends_but_cannot_rewrite_the_trail(pg_study, role):
    result = grants.grant_app_role(pg_study, role, create=True)
    assert result.created and result.ok, result.problems
    study = pg_study
    study.log("export", {"file": "before.csv", "format": "csv"})
    app = Study.open(_as(study, role))
    try:
        # The workspace's ordinary acts work as the app role, audited ones included.
        app.log("export", {"file": "as-app.csv", "format": "csv"})
        assert app.engine.connect().execute(sa.text("SELECT current_user")).scalar() == role
        assert [e.detail["file"] for e in audit.entries(app, action="export")] == [
            "before.csv", "as-app.csv"]
        for statement in ("UPDATE audit_log SET actor = 'x'",
                          "DELETE FROM audit_log",
                          "TRUNCATE audit_log",
                          "DROP TRIGGER audit_log_no_change ON audit_log",
                          "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                          "DROP TABLE audit_log",
                          "UPDATE alembic_version SET version_num = 'x'"):
            with pytest.raises(sa.exc.ProgrammingError) as info, app.engine.begin() as c:
                c.execute(sa.text(statement))
            message = str(info.value.orig)
            assert "permission denied" in message or "must be owner" in message, statement
    finally:
        app.close()
    assert audit.verify(study).ok and len(audit.entries(study, action="export")) == 2
    assert audit.entries(study, action="db-grant")[-1].target == role


@pytest.mark.store("postgresql")
def test_check_names_what_a_role_may_still_do(pg_study, role):
    grants.grant_app_role(pg_study, role, create=True)
    with pg_study.engine.begin() as connection:  # someone grants more by hand
        connection.execute(sa.text(f"GRANT UPDATE, TRUNCATE ON audit_log TO {role}"))
    found = grants.check_app_role(pg_study, role)
    assert not found.ok
    assert any("UPDATE on audit_log" in p for p in found.problems)
    assert any("TRUNCATE on audit_log" in p for p in found.problems)
    run = CliRunner().invoke(main, ["db", "grant", str(pg_study.folder), "--app-role", role])
    assert run.exit_code == 0, run.output  # granting again takes the extra rights back
    assert grants.check_app_role(pg_study, role).ok


@pytest.mark.store("postgresql")
@pytest.mark.parametrize("name, code", [("Robert'); DROP TABLE x;--", "bad-argument"),
                                        ("nobody_here_x1", "unknown-role")])
def test_bad_role_names_change_nothing(pg_study, name, code):
    with pytest.raises(SyrmakError) as info:
        grants.grant_app_role(pg_study, name)
    assert info.value.code == code
    assert audit.entries(pg_study, action="db-grant") == []


@pytest.mark.store("postgresql")
def test_the_owner_cannot_be_the_app_role(pg_study):
    owner = pg_study.engine.connect().execute(sa.text("SELECT current_user")).scalar()
    with pytest.raises(SyrmakError) as info:
        grants.grant_app_role(pg_study, owner)
    assert info.value.code == "bad-argument"
