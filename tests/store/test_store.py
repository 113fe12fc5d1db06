"""The study store: creation, WAL, migrations in step with the schema, upgrades with backup."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from syrmak.errors import SyrmakError
from syrmak.store import db, schema
from syrmak.study import Study

EXAMPLE = Path(__file__).parents[2] / "examples" / "kz-civic-2021"


def test_init_creates_folder_config_and_store(new_study, db_url):
    study = new_study(title="Civic activism")
    assert (study.folder / "syrmak.toml").exists()
    assert study.title == "Civic activism"
    assert len(study.id) == 32
    assert db.current_revision(study.engine) == db.head_revision()
    if db_url is None:
        assert (study.folder / "study.db").exists()
        assert study.engine.dialect.name == "sqlite"
    else:
        assert study.engine.dialect.name == "postgresql"
        assert not (study.folder / "study.db").exists()
        reopened = Study.open(study.folder)
        assert reopened.id == study.id
        reopened.close()


def test_sqlite_store_uses_wal(tmp_path):
    study = Study.create(tmp_path / "s")
    with study.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    study.close()


def test_migrations_match_schema(new_study):
    """Fails when schema.py changes without a migration that makes the same change."""
    study = new_study()
    with study.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert diff == []


def test_init_refuses_existing_study(new_study, db_url, tmp_path):
    study = new_study("one")
    with pytest.raises(SyrmakError, match="already holds a study"):
        Study.create(study.folder)
    if db_url is not None:
        with pytest.raises(SyrmakError, match="already holds a study"):
            Study.create(tmp_path / "other", db_url=db_url)


def test_open_rejects_non_study(tmp_path):
    with pytest.raises(SyrmakError, match="not a study folder") as info:
        Study.open(tmp_path)
    assert "syrmak init" in info.value.hint


def test_bad_database_url_is_a_clear_error(tmp_path):
    with pytest.raises(SyrmakError) as info:
        Study.create(tmp_path / "s", db_url="mysql+nosuchdriver://x/y")
    assert info.value.code == "bad-database-url"


def test_older_sqlite_store_is_backed_up_and_upgraded(tmp_path):
    path = tmp_path / "s"
    study = Study.create(path)
    base = "0001"
    assert db.head_revision() != base, "needs at least two migrations to test an upgrade"
    study_id = study.id
    study.close()
    # Take the file back to the first revision, as an older syrmak would have left it.
    engine = db.create_engine(f"sqlite:///{path / 'study.db'}")
    with engine.begin() as connection:
        from alembic import command

        command.downgrade(db.alembic_config(connection), base)
    engine.dispose()
    reopened = Study.open(path)
    assert reopened.backup is not None and reopened.backup.exists()
    assert db.current_revision(reopened.engine) == db.head_revision()
    assert reopened.id == study_id
    reopened.close()
    old = sqlite3.connect(reopened.backup)
    assert old.execute("select version_num from alembic_version").fetchone() == (base,)
    old.close()


def test_current_store_is_not_backed_up(tmp_path):
    Study.create(tmp_path / "s").close()
    again = Study.open(tmp_path / "s")
    assert again.backup is None
    assert not list((tmp_path / "s").glob("*.bak*"))
    again.close()


def test_events_are_logged(new_study):
    study = new_study()
    study.log("test-action", {"n": 1}, actor="alice")
    with study.engine.connect() as connection:
        rows = connection.execute(sa.select(schema.events.c.actor, schema.events.c.action)
                                  .order_by(schema.events.c.id)).all()
    assert ("alice", "test-action") in rows
    assert rows[0][1] == "init"


def test_import_syrmak_pulls_no_web_stack():
    code = (
        "import sys, syrmak; s = syrmak.Study; "
        "bad = [m for m in ('flask','fastapi','starlette','django','aiohttp','jinja2','uvicorn') "
        "if m in sys.modules]; print(bad); assert not bad"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_failed_init_can_be_retried(tmp_path, monkeypatch):
    """A real failure midway (the vault key would land inside the study folder, after the
    store was made) leaves nothing behind that blocks 'syrmak init' once the cause is fixed."""
    folder = tmp_path / "deep" / "study"
    monkeypatch.setenv("SYRMAK_IDENTITY_FILE", str(folder / "keys"))
    with pytest.raises(SyrmakError) as caught:
        Study.create(folder)
    assert caught.value.code == "key-inside-study"
    assert not (tmp_path / "deep").exists()
    monkeypatch.setenv("SYRMAK_IDENTITY_FILE", str(tmp_path / "keys"))
    study = Study.create(folder)
    assert (folder / "study.db").exists() and study.title == "study"
    study.close()


@pytest.mark.parametrize("step", ["tomli_w.dumps", "Study.log"])
def test_failed_init_removes_only_what_it_made(tmp_path, monkeypatch, db_url, step, key_dir):
    import syrmak.study as study_module

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("the researcher's own file", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    owner, name = step.split(".")
    target = study_module.Study if owner == "Study" else study_module.tomli_w
    with monkeypatch.context() as patched:
        patched.setattr(target, name, broken)
        with pytest.raises(OSError, match="disk full"):
            Study.create(folder, db_url=db_url)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert list(key_dir.iterdir()) == []  # no key to a study that was never made
    if db_url is not None:
        engine = sa.create_engine(db.normalise_url(db_url))
        with engine.connect() as connection:
            assert sa.inspect(connection).get_table_names() == []
        engine.dispose()
    study = Study.create(folder, db_url=db_url)
    assert study.id and (folder / "notes.txt").exists()
    study.close()


def test_refused_init_keeps_the_existing_study(new_study):
    study = new_study("one")
    with pytest.raises(SyrmakError, match="already holds a study"):
        Study.create(study.folder)
    assert {"syrmak.toml"} <= {p.name for p in study.folder.iterdir()}
    with Study.open(study.folder) as reopened:
        assert reopened.id == study.id


def test_answers_are_placed_alike_with_and_without_the_respondent_rows(study, tmp_path,
                                                                       monkeypatch):
    """The summary-per-batch shortcut gives exactly what reading every respondent gives,
    with several batches and a withdrawal; an irregular batch falls back to the rows."""
    from syrmak.store import answers

    for i, rows in enumerate((["cso,rights,", "independent,eco,"], ["cso,women,", "cso,eco,"])):
        path = tmp_path / f"r{i}.csv"
        path.write_text("kind,sphere,contact\n" + "\n".join(rows) + "\n", encoding="utf-8")
        study.import_responses(path)
    study.withdraw(2)
    with study.engine.connect() as connection:
        placed = answers._placement(connection)
        fast = answers.read_columns(connection, ["kind", "sphere"])
    assert placed is not None and placed[:, 0].tolist() == [1, 3, 4]
    monkeypatch.setattr(answers, "_placement", lambda connection: None)
    with study.engine.connect() as connection:
        slow = answers.read_columns(connection, ["kind", "sphere"])
    assert fast.equals(slow) and fast.index.tolist() == [1, 3, 4]
    r = schema.respondents
    with study.engine.begin() as connection:  # respondent 4 moves to another place
        connection.execute(sa.update(r).where(r.c.number == 4).values(number=9))
        assert answers._placement(connection) is None


@pytest.mark.store("sqlite")
def test_an_import_writes_with_a_larger_page_cache_and_gives_it_back(new_study, monkeypatch):
    from syrmak.survey import identity

    study = new_study()
    study.load_questionnaire(EXAMPLE / "questionnaire.xlsx")
    seen = []
    recognise = identity.recognise

    def watched(connection, *args, **kwargs):
        seen.append(connection.exec_driver_sql("PRAGMA cache_size").scalar())
        return recognise(connection, *args, **kwargs)

    monkeypatch.setattr(identity, "recognise", watched)
    study.import_responses(EXAMPLE / "responses.csv")
    assert seen == [-db.BULK_CACHE_KIB]
    with study.engine.connect() as connection:  # the pool's connection, as it was
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
