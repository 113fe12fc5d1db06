"""An older store: SQLite is backed up and upgraded on open; a shared PostgreSQL store is
upgraded only by 'syrmak migrate DIR', never silently by whichever client opens it first."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.store import db, schema
from syrmak.study import Study

OLD = "0001"


def _make_old(new_study) -> tuple[str, sa.Engine]:
    study = new_study()
    folder, engine = str(study.folder), study.engine
    with engine.begin() as connection:
        command.downgrade(db.alembic_config(connection), OLD)
    return folder, engine


def _actions(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(schema.events.c.action)).scalars())


def test_open_upgrades_sqlite_but_refuses_a_shared_store(new_study, db_url):
    folder, engine = _make_old(new_study)
    if db_url is None:
        opened = Study.open(folder)
        assert (opened.upgraded_from, db.current_revision(engine)) == (OLD, db.head_revision())
        assert opened.backup is not None
        opened.close()
        return
    with pytest.raises(SyrmakError) as info:
        Study.open(folder)
    assert info.value.code == "migration-needed"
    assert "syrmak migrate" in info.value.hint and "pg_dump" in info.value.hint
    # Refused means untouched: the schema stays where the other clients expect it.
    assert db.current_revision(engine) == OLD


def test_migrate_command_upgrades_after_a_backup_hint(new_study, db_url):
    folder, engine = _make_old(new_study)
    result = CliRunner().invoke(main, ["migrate", folder, "--yes"])
    assert result.exit_code == 0, result.output
    assert result.output.index("Back up the store first") < result.output.index("Upgraded")
    assert f"from schema revision {OLD}" in result.output
    assert db.current_revision(engine) == db.head_revision()
    assert "store-upgrade" in _actions(engine)
    again = CliRunner().invoke(main, ["migrate", folder, "--yes"])
    assert "already current" in again.output


def test_migrate_asks_before_it_upgrades(new_study):
    folder, engine = _make_old(new_study)
    result = CliRunner().invoke(main, ["migrate", folder], input="n\n")
    assert result.exit_code == 1
    assert db.current_revision(engine) == OLD


def test_the_schema_head_named_in_the_code_is_alembics():
    # Opening a current store compares with db.SCHEMA_HEAD and imports no alembic; a new
    # migration must move it, or every store would be "upgraded" on each open.
    assert db.head_revision() == db.SCHEMA_HEAD


def test_opening_a_current_store_imports_no_alembic(tmp_path):
    import subprocess
    import sys

    Study.create(tmp_path / "s").close()
    code = ("import sys; from syrmak.study import Study; Study.open(sys.argv[1]).close(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s")], check=True,
                         capture_output=True, text=True).stdout.strip()
    assert out == "[]"
