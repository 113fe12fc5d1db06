"""The contact vault: sealed to a public key; the private key kept apart and locked."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from syrmak.errors import SyrmakError
from syrmak.store import schema, vault
from syrmak.store.vault import ContactValue, DamagedEntry, Entry, Identity, Keeper
from syrmak.study import Study

STRONG = "ledger-violet-canyon-ostrich-47"
CONTACT = "+7 700 000 00 01"


def _seal_one(study, number=1, question="contact", value=CONTACT, key=None):
    """A respondent row and one sealed entry, as an import would write them."""
    r = schema.respondents
    with study.engine.begin() as connection:
        import_id = connection.execute(sa.insert(schema.imports).returning(schema.imports.c.id), {
            "file_name": "x.csv", "file_sha256": "0" * 64, "format": "csv",
            "questionnaire_id": study.questionnaire_id(connection), "rows_read": 1,
            "rows_added": 1, "imported_at": datetime.now(UTC)}).scalar_one()
        rid = connection.execute(sa.insert(r).returning(r.c.id), {
            "number": number, "submission_key": key or f"row:{number}", "import_id": import_id,
            "position": 0}).scalar_one()
        study.seal(connection, [ContactValue(rid, number, key or f"row:{number}", question, value)])
    return rid


def test_init_keeps_only_the_public_key_in_the_store(study, key_dir):
    identity_file = vault.identity_file_for(key_dir, study.id)
    assert identity_file.exists() and oct(identity_file.stat().st_mode & 0o777) == "0o600"
    assert not identity_file.resolve().is_relative_to(study.folder.resolve())
    with study.engine.connect() as connection:
        meta = dict(connection.execute(sa.select(schema.study_meta)).all())
    assert meta["vault_recipient"].startswith("age1") and meta["vault_keeper"] == "file"
    assert not any("AGE-SECRET-KEY" in v for v in meta.values())
    assert study.unlock().recipient == study.recipient


def test_a_key_file_inside_the_study_folder_is_refused(tmp_path):
    with pytest.raises(SyrmakError, match="inside the study folder"):
        Study.create(tmp_path / "s", keeper=Keeper("file", identity_file=tmp_path / "s" / "k.key"))


def test_entries_are_bound_to_their_place_and_padded():
    identity = Identity.generate()
    place = Entry("study1", 1, "row:1", "contact")
    sealed = identity.recipient.seal(place, CONTACT)
    assert identity.open(place, sealed) == CONTACT
    for moved in (Entry("study1", 2, "row:1", "contact"), Entry("study1", 1, "row:2", "contact"),
                  Entry("study1", 1, "row:1", "email"), Entry("study2", 1, "row:1", "contact")):
        with pytest.raises(DamagedEntry, match="another respondent"):
            identity.open(moved, sealed)
    with pytest.raises(DamagedEntry, match="does not decrypt"):
        Identity.generate().open(place, sealed)
    # A two-character contact and a 100-character one seal to payloads of one length
    # (age's header varies on its own: rage adds random "grease" stanzas).
    def payload(blob):
        return len(blob) - blob.index(b"\n", blob.index(b"\n--- ") + 1) - 1

    short = identity.recipient.seal(place, "@a")
    long = identity.recipient.seal(place, "a" * 92 + "@mail.kz")
    assert payload(short) == payload(long) == payload(sealed) == 16 + vault.PAD + 16


def test_import_needs_only_the_public_key(study, tmp_path, key_dir):
    (vault.identity_file_for(key_dir, study.id)).unlink()  # the private key is elsewhere: a server's case
    csv = tmp_path / "r.csv"
    csv.write_text(f"kind,sphere,contact\ncso,rights,{CONTACT}\n", encoding="utf-8")
    assert study.import_responses(csv).contacts_stored == 1
    with pytest.raises(SyrmakError) as caught:
        study.contacts()
    assert caught.value.code == "vault-key-missing"
    with study.engine.connect() as connection:
        sealed = connection.execute(sa.select(schema.contacts.c.ciphertext)).scalars().all()
    assert len(sealed) == 1 and CONTACT.encode() not in sealed[0]


def test_swapped_and_damaged_entries_are_named_and_the_rest_listed(study):
    first = _seal_one(study, 1, value="+7 700 000 00 01")
    second = _seal_one(study, 2, value="+7 700 000 00 02")
    _seal_one(study, 3, value="+7 700 000 00 03")
    c, r = schema.contacts, schema.respondents
    with study.engine.begin() as connection:
        # An attacker moves respondent 1's contact to respondent 2, together with the
        # submission key the contact was sealed under.
        one = connection.execute(sa.select(c.c.ciphertext).where(c.c.respondent_id == first)).scalar()
        connection.execute(sa.update(r).where(r.c.id == first).values(submission_key="tmp"))
        connection.execute(sa.update(r).where(r.c.id == second).values(submission_key="row:1"))
        connection.execute(sa.update(c).where(c.c.respondent_id == second).values(ciphertext=one))
        connection.execute(sa.update(c).where(c.c.respondent_id == first)
                           .values(ciphertext=b"age-encryption.org/v1\ngarbage"))
    found = study.contacts()
    assert found.table["value"].tolist() == ["+7 700 000 00 03"]
    assert len(found.damaged) == 2
    assert "respondent 1" in found.damaged[0] and "respondent 2" in found.damaged[1]
    assert "another respondent" in found.damaged[1]
    assert not any("+7 700" in text for text in found.damaged)


def test_passphrase_mode_locks_the_key_and_refuses_weak_passphrases(tmp_path, key_dir, monkeypatch):
    monkeypatch.delenv("SYRMAK_IDENTITY_FILE")
    with pytest.raises(SyrmakError) as weak:
        Study.create(tmp_path / "weak", keeper=Keeper("passphrase", passphrase="password1234"))
    assert weak.value.code == "weak-passphrase" and not (tmp_path / "weak" / "study.db").exists()
    study = Study.create(tmp_path / "s", keeper=Keeper("passphrase", passphrase=STRONG))
    locked = vault.locked_identity_path(study.id)
    assert locked.parent == key_dir and b"AGE-SECRET-KEY" not in locked.read_bytes()
    assert study.unlock(passphrase=STRONG).recipient == study.recipient
    with pytest.raises(SyrmakError, match="does not open"):
        study.unlock(passphrase=STRONG + "x")
    with pytest.raises(SyrmakError) as missing:
        study.unlock()
    assert missing.value.code == "vault-passphrase-missing"
    assert "SYRMAK_PASSPHRASE" in missing.value.hint and "--passphrase" not in missing.value.hint
    monkeypatch.setenv("SYRMAK_PASSPHRASE", STRONG)
    assert study.unlock().recipient == study.recipient
    assert STRONG not in repr(Keeper("passphrase", passphrase=STRONG))
    study.close()


class _MemoryKeyring:
    """A keyring backend for the test (no desktop keyring on a server)."""

    priority = 1

    def __init__(self):
        self.store = {}

    def set_password(self, service, user, password):
        self.store[(service, user)] = password

    def get_password(self, service, user):
        return self.store.get((service, user))


def test_keyring_mode(tmp_path, monkeypatch):
    import keyring

    memory = _MemoryKeyring()
    monkeypatch.setattr(keyring, "set_password", memory.set_password)
    monkeypatch.setattr(keyring, "get_password", memory.get_password)
    study = Study.create(tmp_path / "s", keeper=Keeper("keyring"))
    assert memory.store[("syrmak", study.id)].startswith("AGE-SECRET-KEY-")
    assert study.unlock().recipient == study.recipient
    memory.store.clear()
    with pytest.raises(SyrmakError) as caught:
        study.unlock()
    assert caught.value.code == "vault-key-missing"
    study.close()


def test_a_foreign_key_is_refused(study, key_dir, tmp_path):
    (vault.identity_file_for(key_dir, study.id)).unlink()
    other = tmp_path / "other.key"
    other.write_bytes(vault.identity_file_text(Identity.generate(), "x"))
    with pytest.raises(SyrmakError, match="does not belong"):
        study.unlock(identity_file=other)


# -- studies made before age sealing ------------------------------------------------------------

def _make_legacy(study, key_dir, passphrase=None):
    """Turn a fresh study into one written by syrmak 0.1: AES-GCM entries, a symmetric key."""
    if passphrase:
        salt = base64.b64encode(secrets.token_bytes(16)).decode()
        key = vault.LegacyKey.from_passphrase(study.id, passphrase, salt).key
        meta = {"vault_mode": "passphrase", "vault_salt": salt}
    else:
        key = AESGCM.generate_key(bit_length=256)
        (key_dir / f"{study.id}.key").write_text(base64.b64encode(key).decode())
        meta = {"vault_mode": "keyfile"}
    nonce = secrets.token_bytes(12)
    meta["vault_check"] = base64.b64encode(
        nonce + AESGCM(key).encrypt(nonce, b"syrmak vault check", study.id.encode())).decode()
    rid = _seal_one(study, 1)
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, CONTACT.encode(), f"{study.id}\x1frow:1\x1fcontact".encode())
    m, c = schema.study_meta, schema.contacts
    with study.engine.begin() as connection:
        connection.execute(sa.delete(m).where(m.c.key.in_(
            ["vault_format", "vault_keeper", "vault_recipient", "vault_identity_hint"])))
        connection.execute(sa.insert(m), [{"key": k, "value": v} for k, v in meta.items()])
        connection.execute(sa.update(c).where(c.c.respondent_id == rid)
                           .values(nonce=nonce, ciphertext=sealed))
    study.__dict__.pop("recipient", None)


def test_an_old_key_file_vault_is_resealed_on_first_unlock(study, key_dir, tmp_path):
    (vault.identity_file_for(key_dir, study.id)).unlink()
    _make_legacy(study, key_dir)
    assert study.vault_is_legacy
    with pytest.raises(SyrmakError) as caught:
        study.unlock()  # no keeper chosen for the new key
    assert caught.value.code == "vault-keeper-missing"
    new_key = tmp_path / "usb" / "study.key"
    study.unlock(new_keeper=Keeper("file", identity_file=new_key))
    assert not study.vault_is_legacy
    assert not (key_dir / f"{study.id}.key").exists()  # the unprotected old key is gone
    assert not list(study.folder.glob("study.vault-aes.*"))  # and so is the backup it opened
    found = study.contacts(identity_file=new_key)
    assert found.table["value"].tolist() == [CONTACT] and not found.damaged
    with study.engine.connect() as connection:
        assert connection.execute(sa.select(schema.contacts.c.nonce)).scalar() is None


def test_an_old_passphrase_vault_keeps_its_passphrase(study, key_dir, monkeypatch):
    (vault.identity_file_for(key_dir, study.id)).unlink()
    monkeypatch.delenv("SYRMAK_IDENTITY_FILE")
    _make_legacy(study, key_dir, passphrase=STRONG)
    with pytest.raises(SyrmakError):
        study.unlock(passphrase="not " + STRONG)
    assert study.vault_is_legacy
    study.unlock(passphrase=STRONG)
    assert study.meta("vault_keeper") == "passphrase" and study.meta("vault_salt") is None
    assert study.contacts(passphrase=STRONG).table["value"].tolist() == [CONTACT]
