"""Encrypted hand-over: an archive reveals nothing without its passphrase or key, and
restores the whole study with it."""

from __future__ import annotations

import pyrage
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.examples import build_example
from syrmak.privacy import archive, audit
from syrmak.qual.documents import add_text
from syrmak.store import schema
from syrmak.study import Study
from tests.conftest import throwaway_keys

PASSPHRASE = "felt lantern steppe orchard 1921"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example study, its made-up contacts and its interviews' texts."""
    home = tmp_path_factory.mktemp("example")
    with throwaway_keys(home / "keys"):
        build_example("kz-civic-2021", home / "kz")
        with Study.open(home / "kz") as study:
            contacts = study.contacts().table["value"].tolist()
    with Study.open(home / "kz") as study, study.engine.connect() as connection:
        texts = connection.execute(sa.select(schema.documents.c.text)).scalars().all()
    return home, contacts, texts


def test_the_archive_reveals_nothing_without_the_passphrase(example, tmp_path):
    home, contacts, texts = example
    with Study.open(home / "kz") as study:
        done = archive.create(study, tmp_path / "kz.age", passphrase=PASSPHRASE)
        assert audit.entries(study, action="archive")[-1].detail["to"] == "passphrase"
    data = done.path.read_bytes()
    assert data.startswith(b"age-encryption.org/v1")
    pieces = [c.encode() for c in contacts] + [t[:30].encode() for t in texts if len(t) > 30]
    pieces += [b"SQLite format 3", b"kz-civic", "Респондент".encode(), b"activist"]
    assert len(pieces) > 40 and not [p for p in pieces if p in data]
    for wrong in ("", PASSPHRASE[:-1], PASSPHRASE.upper()):
        with pytest.raises(SyrmakError) as info:
            archive.restore(done.path, tmp_path / f"r{len(wrong)}", passphrase=wrong)
        assert info.value.code == "archive-locked"
        assert not (tmp_path / f"r{len(wrong)}").exists()


def test_the_archive_restores_the_whole_study(example, tmp_path):
    home, contacts, texts = example
    with Study.open(home / "kz") as study:
        archive.create(study, tmp_path / "kz.age", passphrase=PASSPHRASE)
        answers = study.responses()
    restored = archive.restore(tmp_path / "kz.age", tmp_path / "restored", passphrase=PASSPHRASE)
    with throwaway_keys(home / "keys"), Study.open(restored) as copy:
        assert copy.responses().equals(answers)
        assert copy.contacts().table["value"].tolist() == contacts
        with copy.engine.connect() as connection:
            assert connection.execute(sa.select(schema.documents.c.text)).scalars().all() \
                == texts
        assert audit.verify(copy).ok
    assert (restored / "report.yaml").is_file()


def test_an_archive_to_a_public_key_opens_only_with_its_private_key(example, tmp_path):
    home, _, _ = example
    ours, theirs = pyrage.x25519.Identity.generate(), pyrage.x25519.Identity.generate()
    for name, identity in (("ours.key", ours), ("theirs.key", theirs)):
        (tmp_path / name).write_text(f"# a key\n{identity}\n")
    run = CliRunner().invoke(main, ["archive", str(home / "kz"), str(tmp_path / "kz.age"),
                                    "--to", str(ours.to_public())])
    assert run.exit_code == 0, run.output
    refused = CliRunner().invoke(main, ["unarchive", str(tmp_path / "kz.age"),
                                        str(tmp_path / "a"), "--identity",
                                        str(tmp_path / "theirs.key")])
    assert refused.exit_code == 1 and "does not open with this key" in refused.output
    opened = CliRunner().invoke(main, ["unarchive", str(tmp_path / "kz.age"),
                                       str(tmp_path / "b"), "--identity",
                                       str(tmp_path / "ours.key")])
    assert opened.exit_code == 0 and (tmp_path / "b" / "study.db").is_file()


def test_backups_and_keys_in_clear_stay_out(study, tmp_path):
    add_text(study, "interview-1", "Текст интервью для архива.")
    (study.folder / "study.0005.x.bak.db").write_bytes(b"old store")
    (study.folder / "notes").mkdir()
    (study.folder / "notes" / "key.txt").write_text("AGE-SECRET-KEY-1QQQ\n")
    (study.folder / "notes" / "plan.md").write_text("plan\n")
    done = archive.create(study, tmp_path / "s.age", passphrase=PASSPHRASE)
    assert sorted(line.split(":")[0] for line in done.left_out) == [
        "notes/key.txt", "study.0005.x.bak.db"]
    restored = archive.restore(done.path, tmp_path / "r", passphrase=PASSPHRASE)
    assert sorted(p.relative_to(restored).as_posix() for p in restored.rglob("*")
                  if p.is_file()) == ["notes/plan.md", "study.db", "syrmak.toml"]
    # A PostgreSQL study comes back as a SQLite study folder with the same documents.
    with Study.open(restored) as copy:
        assert copy.engine.dialect.name == "sqlite" and copy.id == study.id
        with copy.engine.connect() as connection:
            assert connection.execute(sa.select(schema.documents.c.text)).scalars().all() \
                == ["Текст интервью для архива."]


@pytest.mark.parametrize("kwargs, code", [
    ({"passphrase": "short"}, "weak-passphrase"),
    ({"passphrase": "passwordpassword"}, "weak-passphrase"),
    ({}, "bad-argument"),
    ({"passphrase": PASSPHRASE, "recipients": ("age1xyz",)}, "bad-argument"),
    ({"recipients": ("not-a-key",)}, "bad-recipient"),
])
def test_bad_requests_write_nothing(study, tmp_path, kwargs, code):
    with pytest.raises(SyrmakError) as info:
        archive.create(study, tmp_path / "s.age", **kwargs)
    assert info.value.code == code and not (tmp_path / "s.age").exists()
    assert "not-a-key" not in str(info.value)


def test_restore_refuses_a_folder_in_use(study, tmp_path):
    done = archive.create(study, tmp_path / "s.age", passphrase=PASSPHRASE)
    with pytest.raises(SyrmakError) as info:
        archive.restore(done.path, study.folder, passphrase=PASSPHRASE)
    assert info.value.code == "study-exists"
    with pytest.raises(SyrmakError) as info:
        archive.create(study, done.path, passphrase=PASSPHRASE)
    assert info.value.code == "file-exists"
