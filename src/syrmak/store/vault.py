"""The contact vault: personal-data answers encrypted with AES-GCM.

The 256-bit key never sits in the study folder or the database. It is either a key
file in the user's config directory (``syrmak init`` writes it), or derived from a
passphrase with scrypt, whose salt is stored in the study. A copied study folder, a
database dump or an export therefore holds only ciphertext.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from syrmak.errors import SyrmakError

KEY_BYTES = 32
NONCE_BYTES = 12
# scrypt cost as OWASP recommends for interactive use (n=2**17 is ~128 MiB).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_CHECK = b"syrmak vault check"


def key_dir() -> Path:
    """Where key files live: ``$SYRMAK_KEY_DIR`` or the user's config directory."""
    override = os.environ.get("SYRMAK_KEY_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir("syrmak")) / "keys"


def key_path(study_id: str) -> Path:
    return key_dir() / f"{study_id}.key"


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def write_key_file(study_id: str, key: bytes, study_folder: Path | None) -> Path:
    path = key_path(study_id)
    if study_folder is not None:
        folder = study_folder.resolve()
        if path.resolve().is_relative_to(folder):
            raise SyrmakError(
                f"the vault key would be written inside the study folder ({path}).",
                "point SYRMAK_KEY_DIR outside the study folder: a copied folder must not carry its key.",
                code="key-inside-study",
            )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        raise SyrmakError(f"a key file already exists at {path}.", "use a new study id.", code="key-exists")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key).decode("ascii") + "\n")
    return path


def read_key_file(study_id: str) -> bytes:
    path = key_path(study_id)
    if not path.exists():
        raise SyrmakError(
            f"the contact vault key for study {study_id} is not on this machine (looked in {path}).",
            "copy the key file from the machine where 'syrmak init' ran into that folder "
            "(or set SYRMAK_KEY_DIR to the folder that holds it).",
            code="vault-key-missing",
        )
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except ValueError as exc:
        raise SyrmakError(f"the key file {path} is damaged.", "restore it from your backup.",
                          code="vault-key-bad") from exc
    if len(key) != KEY_BYTES:
        raise SyrmakError(f"the key file {path} is damaged.", "restore it from your backup.",
                          code="vault-key-bad")
    return key


def new_salt() -> str:
    return base64.b64encode(secrets.token_bytes(16)).decode("ascii")


def derive_key(passphrase: str, salt: str) -> bytes:
    if not passphrase:
        raise SyrmakError("the study's vault is locked with a passphrase and none was given.",
                          "pass --passphrase or set SYRMAK_PASSPHRASE.", code="vault-passphrase-missing")
    kdf = Scrypt(salt=base64.b64decode(salt), length=KEY_BYTES, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(passphrase.encode("utf-8"))


@dataclass(frozen=True)
class Vault:
    key: bytes
    study_id: str

    def _aad(self, submission_key: str, question: str) -> bytes:
        # Binds a ciphertext to its row: swapping two rows' ciphertexts fails to decrypt.
        return f"{self.study_id}\x1f{submission_key}\x1f{question}".encode()

    def seal(self, submission_key: str, question: str, value: str) -> tuple[bytes, bytes]:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce, AESGCM(self.key).encrypt(nonce, value.encode("utf-8"), self._aad(submission_key, question))

    def open(self, submission_key: str, question: str, nonce: bytes, ciphertext: bytes) -> str:
        try:
            plain = AESGCM(self.key).decrypt(nonce, ciphertext, self._aad(submission_key, question))
        except InvalidTag as exc:
            raise SyrmakError("a vault entry does not decrypt with this key.",
                              "check that the key file or passphrase belongs to this study.",
                              code="vault-key-wrong") from exc
        return plain.decode("utf-8")

    def check_token(self) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.key).encrypt(nonce, _CHECK, self.study_id.encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def verify(self, token: str) -> None:
        raw = base64.b64decode(token)
        try:
            AESGCM(self.key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self.study_id.encode())
        except InvalidTag as exc:
            raise SyrmakError("the vault key does not belong to this study (or the passphrase is wrong).",
                              "use the key file written by 'syrmak init' for this study, or the right passphrase.",
                              code="vault-key-wrong") from exc
