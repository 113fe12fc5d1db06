"""The contact vault: keys outside the folder, AES-GCM, wrong keys refused."""

from __future__ import annotations

import pytest

from syrmak.errors import SyrmakError
from syrmak.store import vault
from syrmak.study import Study


def test_init_writes_key_outside_the_study(new_study, key_dir):
    study = new_study()
    key_file = vault.key_path(study.id)
    assert key_file.exists() and key_file.parent == key_dir
    assert not key_file.resolve().is_relative_to(study.folder.resolve())
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert study.vault.key == vault.read_key_file(study.id)


def test_key_inside_study_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SYRMAK_KEY_DIR", str(tmp_path / "s" / "keys"))
    with pytest.raises(SyrmakError, match="inside the study folder"):
        Study.create(tmp_path / "s")


def test_seal_and_open_round_trip_and_bind_to_row():
    keeper = vault.Vault(vault.new_key(), "study1")
    nonce, sealed = keeper.seal("row:1", "contact", "+7 700 000 00 01")
    assert b"700" not in sealed
    assert keeper.open("row:1", "contact", nonce, sealed) == "+7 700 000 00 01"
    with pytest.raises(SyrmakError, match="does not decrypt"):
        keeper.open("row:2", "contact", nonce, sealed)  # moved to another respondent
    other = vault.Vault(vault.new_key(), "study1")
    with pytest.raises(SyrmakError):
        other.open("row:1", "contact", nonce, sealed)


def test_missing_key_file_is_explained(new_study, key_dir):
    study = new_study()
    vault.key_path(study.id).unlink()
    reopened = Study.open(study.folder)
    with pytest.raises(SyrmakError) as info:
        reopened.contacts()
    assert info.value.code == "vault-key-missing"
    assert "SYRMAK_KEY_DIR" in info.value.hint
    reopened.close()


def test_wrong_key_file_is_refused(new_study):
    study = new_study()
    path = vault.key_path(study.id)
    path.chmod(0o600)
    path.write_text(__import__("base64").b64encode(vault.new_key()).decode())
    reopened = Study.open(study.folder)
    with pytest.raises(SyrmakError, match="does not belong to this study"):
        reopened.vault  # noqa: B018
    reopened.close()


def test_passphrase_vault(new_study, key_dir):
    study = new_study(passphrase="correct horse battery staple")
    assert not vault.key_path(study.id).exists()
    good = Study.open(study.folder, passphrase="correct horse battery staple")
    assert len(good.vault.key) == 32
    bad = Study.open(study.folder, passphrase="wrong")
    with pytest.raises(SyrmakError, match="passphrase is wrong"):
        bad.vault  # noqa: B018
    none = Study.open(study.folder)
    with pytest.raises(SyrmakError, match="passphrase"):
        none.vault  # noqa: B018
    for s in (good, bad, none):
        s.close()
