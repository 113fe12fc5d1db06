"""The seized-laptop drill: everything on the disk, copied elsewhere, and no passphrase.

The example study is built as a researcher would (passphrase mode), its report, a
responses export and a .qdpx written; then the study folder, every output and the user's
key folder are copied to "another machine". Without the passphrase, no contact can be
recovered: no contact appears in any copied byte, no private key sits in clear anywhere,
the locked key does not open with guesses, and syrmak itself refuses.
"""

from __future__ import annotations

import base64
import re
import shutil

import pyrage
import pytest
from click.testing import CliRunner
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.examples import build_example
from syrmak.report import build_report
from syrmak.store.vault import Keeper
from syrmak.study import Study

PASSPHRASE = "felt-carpet-steppe-lantern-1921"
GUESSES = ["", "password", "syrmak", "kz-civic-2021", "12345678", "qwerty", PASSPHRASE[:-1],
           PASSPHRASE.upper(), "felt carpet steppe lantern 1921"]


@pytest.fixture(scope="module")
def laptop(tmp_path_factory):
    """The researcher's machine: study, outputs, key folder; and the contacts it holds."""
    home = tmp_path_factory.mktemp("laptop")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SYRMAK_KEY_DIR", str(home / "config" / "syrmak" / "keys"))
        patch.delenv("SYRMAK_IDENTITY_FILE", raising=False)
        patch.delenv("SYRMAK_PASSPHRASE", raising=False)
        build_example("kz-civic-2021", home / "kz",
                      keeper=Keeper("passphrase", passphrase=PASSPHRASE))
        study = Study.open(home / "kz")
        build_report(study)
        contacts = study.contacts(passphrase=PASSPHRASE).table["value"].tolist()
        study.close()
        runner = CliRunner()
        for args in (["responses", str(home / "kz"), "-o", str(home / "out" / "responses.csv")],
                     ["export", "qdpx", str(home / "kz"), str(home / "out" / "project.qdpx")]):
            (home / "out").mkdir(exist_ok=True)
            result = runner.invoke(main, args)
            assert result.exit_code == 0, result.output
    return home, contacts


@pytest.fixture
def seized(laptop, tmp_path, monkeypatch):
    """The attacker's copy of the whole disk, on another machine, without the passphrase."""
    home, contacts = laptop
    copy = tmp_path / "seized"
    shutil.copytree(home, copy)
    monkeypatch.setenv("SYRMAK_KEY_DIR", str(copy / "config" / "syrmak" / "keys"))
    monkeypatch.delenv("SYRMAK_IDENTITY_FILE", raising=False)
    monkeypatch.delenv("SYRMAK_PASSPHRASE", raising=False)
    return copy, contacts


def _every_file(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_the_copy_holds_what_an_attacker_would_take(seized):
    copy, contacts = seized
    names = {p.name for p in _every_file(copy)}
    assert {"study.db", "report.html", "report.docx", "responses.csv", "project.qdpx"} <= names
    assert any(name.endswith(".age") for name in names)  # the locked key is on the disk too
    assert len(contacts) >= 20  # the example's made-up contacts are in the vault


def test_no_contact_in_any_copied_byte(seized):
    copy, contacts = seized
    for path in _every_file(copy):
        data = path.read_bytes()
        for value in contacts:
            for piece in {value, value.replace(" ", ""), value.split("@")[0]}:
                if len(piece) >= 6:
                    assert piece.encode("utf-8") not in data, f"a contact is readable in {path.name}"


def test_no_key_in_clear_and_nothing_opens_the_vault(seized):
    copy, _ = seized
    texts = b"".join(p.read_bytes() for p in _every_file(copy))
    assert b"AGE-SECRET-KEY-" not in texts.upper()
    study = Study.open(copy / "kz")
    # The attack on syrmak 0.1: any 32-byte base64 key file opens AES-GCM entries.
    import sqlalchemy as sa

    from syrmak.store import schema

    r, c = schema.respondents, schema.contacts
    with study.engine.connect() as connection:
        rows = connection.execute(sa.select(r.c.submission_key, c.c.question, c.c.ciphertext)
                                  .join(c, c.c.respondent_id == r.c.id)).all()
    sealed = [row.ciphertext for row in rows]
    for path in (p for p in _every_file(copy) if p.stat().st_size < 200):
        try:
            key = base64.b64decode(path.read_bytes().strip(), validate=True)
        except ValueError:
            continue
        for row in rows if len(key) == 32 else ():
            aad = f"{study.id}\x1f{row.submission_key}\x1f{row.question}".encode()
            with pytest.raises(InvalidTag):
                AESGCM(key).decrypt(row.ciphertext[:12], row.ciphertext[12:], aad)
    # Every sealed entry is an age file for one X25519 recipient, openable only with its key.
    assert sealed and all(re.match(rb"age-encryption\.org/v1\n-> X25519 ", b) for b in sealed)
    locked = next(p for p in _every_file(copy) if p.suffix == ".age")
    for guess in GUESSES[1:]:
        with pytest.raises(pyrage.DecryptError):
            pyrage.passphrase.decrypt(locked.read_bytes(), guess)
    for guess in GUESSES:
        with pytest.raises(SyrmakError) as caught:
            study.contacts(passphrase=guess)
        assert caught.value.code in {"vault-key-wrong", "vault-passphrase-missing"}
    study.close()


def test_the_cli_refuses_without_the_passphrase(seized):
    copy, contacts = seized
    result = CliRunner().invoke(main, ["contacts", str(copy / "kz")])
    assert result.exit_code == 1 and "passphrase" in result.output
    assert not any(value in result.output for value in contacts)
