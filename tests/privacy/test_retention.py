"""Retention: contacts, recordings and backups purged for good, each purge audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.privacy import audit, retention
from syrmak.store import schema

ROWS = (
    "timestamp,kind,sphere,story,contact,staff\n"
    "2021-03-01 10:00:00,cso,rights,Обычный ответ,early@example.org,3\n"
    "2021-05-01 10:00:00,independent,eco,Другой ответ,late@example.org,7\n"
    ",cso,women,Без времени,undated@example.org,12\n"
)


@pytest.fixture
def answered(study, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(ROWS, encoding="utf-8")
    study.import_responses(path)
    return study, path


def _vault_owners(study) -> list[int]:
    c, r = schema.contacts, schema.respondents
    with study.engine.connect() as connection:
        return sorted(connection.execute(
            sa.select(r.c.number).join(c, c.c.respondent_id == r.c.id)).scalars())


@pytest.mark.parametrize("before, kept, undated", [
    (None, [], 0),
    ("2021-04-01", [2, 3], 1),
    ("2021-06-01", [3], 1),
    ("2020-01-01", [1, 2, 3], 1),
])
def test_purge_contacts_before_a_date(answered, before, kept, undated):
    study, path = answered
    assert _vault_owners(study) == [1, 2, 3]
    done = retention.purge_contacts(study, before)
    assert _vault_owners(study) == kept
    assert (done.deleted, done.undated) == (3 - len(kept), undated)
    # Importing the original export again does not bring purged contacts back.
    study.import_responses(path)
    assert _vault_owners(study) == kept
    entry = audit.entries(study, action="purge")[-1]
    assert entry.detail["what"] == "contacts" and entry.detail["deleted"] == done.deleted
    assert audit.verify(study).ok


def test_purged_contacts_leave_no_bytes_in_sqlite(answered):
    study, _ = answered
    if study.engine.dialect.name != "sqlite":
        return _assert_postgres_rewrote(study)
    with study.engine.connect() as connection:
        sealed = connection.execute(sa.select(schema.contacts.c.ciphertext)).scalars().all()
    retention.purge_contacts(study)
    stored = b"".join(p.read_bytes() for p in study.folder.glob("study.db*"))
    assert sealed and not any(blob[:64] in stored for blob in sealed)


def _assert_postgres_rewrote(study):
    with study.engine.connect() as connection:
        before = connection.execute(
            sa.text("SELECT pg_relation_filenode('contacts')")).scalar()
    done = retention.purge_contacts(study)
    with study.engine.connect() as connection:
        after = connection.execute(
            sa.text("SELECT pg_relation_filenode('contacts')")).scalar()
    assert done.residue == () and after != before


def test_bad_date_is_a_clear_error(answered):
    study, _ = answered
    with pytest.raises(SyrmakError) as info:
        retention.purge_contacts(study, "last spring")
    assert info.value.code == "bad-time" and _vault_owners(study) == [1, 2, 3]


@pytest.mark.parametrize("option, files", [
    ("--backups", ["study.0005.20261201T101010.bak.db", "study.vault-aes.x.bak.db"]),
    ("--recordings", ["media/interview-1.m4a.age", "media/sub/interview-2.ogg.age"]),
])
def test_purge_files_asks_then_overwrites_and_deletes(answered, option, files):
    study, _ = answered
    for name in files:
        (study.folder / name).parent.mkdir(parents=True, exist_ok=True)
        (study.folder / name).write_bytes(b"secret old bytes" * 100)
    keep = study.folder / "syrmak.toml"
    refused = CliRunner().invoke(main, ["purge", str(study.folder), option], input="n\n")
    assert refused.exit_code == 1 and all((study.folder / n).exists() for n in files)
    assert all(n.split("/")[-1] in refused.output for n in files)
    done = CliRunner().invoke(main, ["purge", str(study.folder), option, "--yes"])
    assert done.exit_code == 0, done.output
    assert not any((study.folder / n).exists() for n in files) and keep.exists()
    entry = audit.entries(study, action="purge")[-1]
    assert entry.detail["deleted"] == 2 and entry.target == option[2:-1]


def test_shred_overwrites_before_unlinking(tmp_path, monkeypatch):
    path = tmp_path / "old.bak.db"
    path.write_bytes(b"respondent" * 1000)
    seen = {}
    real_unlink = type(path).unlink

    def unlink(self, *a, **k):
        seen["bytes"] = self.read_bytes()
        return real_unlink(self, *a, **k)

    monkeypatch.setattr(type(path), "unlink", unlink)
    retention.shred(path)
    assert seen["bytes"] == b"\0" * 10000 and not path.exists()


@pytest.mark.parametrize("args, message", [
    ([], "say what to purge"),
    (["--recordings", "--before", "2021-01-01"], "--before goes with --contacts"),
])
def test_purge_needs_a_clear_request(answered, args, message):
    study, _ = answered
    run = CliRunner().invoke(main, ["purge", str(study.folder), *args])
    assert run.exit_code == 2 and message in run.output
