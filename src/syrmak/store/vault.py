"""The contact vault: personal-data answers sealed to the study's public key with age.

Each study has an age X25519 key pair. The public key (the *recipient*) sits in the store:
importing, collecting and quarantining need only it, so a survey server or a laptop
that imports never holds anything that opens a contact. The private key (the
*identity*) never sits in the study folder or the store. It is kept in one of three
ways (``Keeper``), see docs/privacy.md for what each protects against:

* ``passphrase`` (default): the identity encrypted with a passphrase (age's scrypt
  passphrase mode) in a file in the user's key directory; a copied disk yields only
  that file, useless without the passphrase.
* ``keyring``: the identity in the operating system's keyring (``keyring``).
* ``file``: the identity as a plain age key file at a path the researcher chooses, on
  removable media that is unplugged when not in use.

Every entry's plaintext binds it to its place (study, respondent number, submission
key, question), so swapping ciphertexts between rows, or a submission key together with
its ciphertext, is caught on opening; and it is padded to a multiple of ``PAD`` bytes
so ciphertext lengths do not reveal how long a contact is.

Studies made before age sealing have AES-GCM entries under a symmetric key (a key file
or a scrypt passphrase); ``LegacyKey`` opens them so that ``Study.unlock`` can re-seal
them once.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
import pyrage
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from syrmak.errors import SyrmakError

PAD = 256
FORMAT = "age-1"
MODES = ("passphrase", "keyring", "file")
KEYRING_SERVICE = "syrmak"
#: zxcvbn's 0-4 score a new passphrase must reach: 3 is "safely unguessable" (≈10^8
#: guesses) before age's scrypt slows every guess down further.
MIN_PASSPHRASE_SCORE = 3


def key_dir() -> Path:
    """Where locked identities live: ``$SYRMAK_KEY_DIR`` or the user's config directory."""
    override = os.environ.get("SYRMAK_KEY_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir("syrmak")) / "keys"


def locked_identity_path(study_id: str) -> Path:
    return key_dir() / f"{study_id}.age"


# -- entries -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """Where a sealed value belongs; sealed inside it and checked when it is opened."""

    study_id: str
    respondent: int
    submission_key: str
    question: str

    def label(self) -> str:
        return f"respondent {self.respondent}, question '{self.question}'"


@dataclass(frozen=True)
class ContactValue:
    """One value for the vault, as importing, collecting or sealing hands it over."""

    respondent_id: int
    respondent: int
    submission_key: str
    question: str
    value: str
    kind: str = "personal"  # or "quarantine"
    #: Where a quarantined value came from (file, row, column); never the value.
    note: str | None = None


class DamagedEntry(Exception):
    """An entry that does not open or does not belong where it is stored."""


def _payload(entry: Entry, value: str) -> bytes:
    body = json.dumps({"study": entry.study_id, "respondent": entry.respondent,
                       "key": entry.submission_key, "question": entry.question, "value": value},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # JSON never contains a raw NUL, so trailing NULs are unambiguous padding.
    return body + b"\0" * (-len(body) % PAD)


def _unpack(entry: Entry, plain: bytes) -> str:
    try:
        body = json.loads(plain.rstrip(b"\0").decode("utf-8"))
        place = (body["study"], body["respondent"], body["key"], body["question"])
        value = body["value"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DamagedEntry("its content is not a vault entry") from exc
    if place != (entry.study_id, entry.respondent, entry.submission_key, entry.question):
        raise DamagedEntry("it was sealed for another respondent or question (moved or swapped)")
    return value


@dataclass(frozen=True)
class Recipient:
    """The public half: seals values; cannot open anything."""

    public_key: str

    def seal(self, entry: Entry, value: str) -> bytes:
        return pyrage.encrypt(_payload(entry, value), [x25519.Recipient.from_str(self.public_key)])

    def seal_bytes(self, data: bytes) -> bytes:
        """A whole file (a recording) sealed with age to the study's public key."""
        return pyrage.encrypt(data, [x25519.Recipient.from_str(self.public_key)])


@dataclass(frozen=True)
class Identity:
    """The private half, unlocked: opens entries. Lives only in memory."""

    secret: str

    @classmethod
    def generate(cls) -> Identity:
        return cls(str(x25519.Identity.generate()))

    @property
    def recipient(self) -> Recipient:
        return Recipient(str(x25519.Identity.from_str(self.secret).to_public()))

    def open(self, entry: Entry, sealed: bytes) -> str:
        try:
            plain = pyrage.decrypt(sealed, [x25519.Identity.from_str(self.secret)])
        except pyrage.DecryptError as exc:
            raise DamagedEntry("it does not decrypt with this study's key (damaged or foreign)") from exc
        return _unpack(entry, plain)

    def open_bytes(self, sealed: bytes) -> bytes:
        try:
            return pyrage.decrypt(sealed, [x25519.Identity.from_str(self.secret)])
        except pyrage.DecryptError as exc:
            raise DamagedEntry("it does not decrypt with this study's key (damaged or foreign)") from exc


# -- keeping the identity --------------------------------------------------------------------

def check_passphrase(passphrase: str, context: tuple[str, ...] = ()) -> None:
    """Refuse passphrases an attacker with the disk would guess quickly."""
    from zxcvbn import zxcvbn

    if len(passphrase) < 12:
        raise SyrmakError("the passphrase is shorter than 12 characters.",
                          "use four or more unrelated words, e.g. from a dice list.",
                          code="weak-passphrase")
    verdict = zxcvbn(passphrase[:100], user_inputs=list(context))
    if verdict["score"] < MIN_PASSPHRASE_SCORE:
        advice = " ".join(verdict["feedback"].get("suggestions") or [])
        warning = verdict["feedback"].get("warning") or "it is too easy to guess"
        raise SyrmakError(f"the passphrase is too weak: {warning.rstrip('.')}.",
                          (advice + " " if advice else "") +
                          "Use four or more unrelated words.", code="weak-passphrase")


def lock_with_passphrase(identity: Identity, passphrase: str) -> bytes:
    return age_passphrase.encrypt(identity.secret.encode("ascii"), passphrase)


def unlock_with_passphrase(locked: bytes, passphrase: str, where: str) -> Identity:
    if not passphrase:
        raise SyrmakError("the vault is locked with a passphrase and none was given.",
                          "run the command in a terminal to be asked for it, or set "
                          "SYRMAK_PASSPHRASE (less safe: other programs may read it).",
                          code="vault-passphrase-missing")
    try:
        secret = age_passphrase.decrypt(locked, passphrase).decode("ascii")
    except pyrage.DecryptError as exc:
        raise SyrmakError("the passphrase does not open the study's key.",
                          f"check the passphrase (the locked key is {where}).",
                          code="vault-key-wrong") from exc
    return Identity(secret)


def write_private_file(path: Path, data: bytes, study_folder: Path | None) -> Path:
    """Write key material (0600, never overwriting, never inside the study folder)."""
    if study_folder is not None and path.resolve().is_relative_to(study_folder.resolve()):
        raise SyrmakError(
            f"the vault key would be written inside the study folder ({path}).",
            "keep keys outside the study folder (SYRMAK_KEY_DIR, or another --identity-file "
            "path): a copied folder must not carry its key.", code="key-inside-study")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise SyrmakError(f"a key file already exists at {path}.",
                          "choose another path; never overwrite a study's key.",
                          code="key-exists") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


def read_identity_file(path: Path) -> Identity:
    if not path.is_file():
        raise SyrmakError(f"the study's key file is not at {path}.",
                          "plug in the drive that holds it, or pass --identity-file PATH "
                          "(or set SYRMAK_IDENTITY_FILE).", code="vault-key-missing")
    text = path.read_text(encoding="ascii", errors="replace")
    secret = next((line.strip() for line in text.splitlines()
                   if line.strip().startswith("AGE-SECRET-KEY-")), "")
    try:
        x25519.Identity.from_str(secret)
    except (pyrage.IdentityError, ValueError) as exc:
        raise SyrmakError(f"{path} is not an age key file.", "restore it from your backup.",
                          code="vault-key-bad") from exc
    return Identity(secret)


def identity_file_text(identity: Identity, study_id: str) -> bytes:
    return (f"# syrmak study {study_id}: the key that opens its contact vault.\n"
            f"# public key: {identity.recipient.public_key}\n{identity.secret}\n").encode("ascii")


def keyring_store(study_id: str, identity: Identity) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, study_id, identity.secret)
    except KeyringError as exc:
        raise SyrmakError(f"the system keyring refused the key: {exc}",
                          "use the default passphrase mode, or --identity-file on removable media.",
                          code="keyring-unavailable") from exc


def keyring_load(study_id: str) -> Identity:
    import keyring
    from keyring.errors import KeyringError

    try:
        secret = keyring.get_password(KEYRING_SERVICE, study_id)
    except KeyringError as exc:
        raise SyrmakError(f"the system keyring cannot be read: {exc}",
                          "unlock your keyring (log in to the desktop session) and try again.",
                          code="keyring-unavailable") from exc
    if not secret:
        raise SyrmakError(f"the system keyring holds no key for study {study_id}.",
                          "use the machine and user account where the study was created.",
                          code="vault-key-missing")
    return Identity(secret)


# -- the vault before age ---------------------------------------------------------------------

LEGACY_SCRYPT = {"n": 2**17, "r": 8, "p": 1}


@dataclass(frozen=True)
class LegacyKey:
    """The AES-256-GCM key of a study made before age sealing; only for re-sealing."""

    key: bytes
    study_id: str

    @classmethod
    def from_key_file(cls, study_id: str) -> LegacyKey:
        path = key_dir() / f"{study_id}.key"
        if not path.exists():
            raise SyrmakError(
                f"this study's contacts are in the old vault format and its key file is "
                f"not on this machine (looked in {path}).",
                "copy the key file from the machine where 'syrmak init' ran into that folder "
                "(or set SYRMAK_KEY_DIR), then unlock again to re-seal the vault.",
                code="vault-key-missing")
        try:
            key = base64.b64decode(path.read_text().strip(), validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise SyrmakError(f"the key file {path} is damaged.", "restore it from your backup.",
                              code="vault-key-bad")
        return cls(key, study_id)

    @classmethod
    def from_passphrase(cls, study_id: str, passphrase: str, salt: str) -> LegacyKey:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        if not passphrase:
            raise SyrmakError("the study's old vault is locked with a passphrase and none was given.",
                              "run the command in a terminal to be asked for it, or set "
                              "SYRMAK_PASSPHRASE.", code="vault-passphrase-missing")
        kdf = Scrypt(salt=base64.b64decode(salt), length=32, **LEGACY_SCRYPT)
        return cls(kdf.derive(passphrase.encode("utf-8")), study_id)

    def verify(self, token: str) -> None:
        if not self._decrypt(base64.b64decode(token), self.study_id.encode()):
            raise SyrmakError("the old vault key does not belong to this study (or the passphrase is wrong).",
                              "use the key file or passphrase this study was created with.",
                              code="vault-key-wrong")

    def open(self, submission_key: str, question: str, nonce: bytes, ciphertext: bytes) -> str:
        plain = self._decrypt(nonce + ciphertext,
                              f"{self.study_id}\x1f{submission_key}\x1f{question}".encode())
        if plain is None:
            raise DamagedEntry("it does not decrypt with the old vault key")
        return plain.decode("utf-8")

    def _decrypt(self, raw: bytes, aad: bytes) -> bytes | None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(self.key).decrypt(raw[:12], raw[12:], aad)
        except InvalidTag:
            return None

    def key_file(self) -> Path:
        return key_dir() / f"{self.study_id}.key"


# -- choosing a keeper ------------------------------------------------------------------------

@dataclass(frozen=True)
class Keeper:
    """How a new study's private key is kept (see the module docstring)."""

    mode: str = "passphrase"
    passphrase: str | None = field(default=None, repr=False)
    identity_file: Path | None = None

    @classmethod
    def from_env(cls) -> Keeper | None:
        """``SYRMAK_IDENTITY_FILE`` (a file or a folder for key files) or ``SYRMAK_PASSPHRASE``."""
        if path := os.environ.get("SYRMAK_IDENTITY_FILE"):
            return cls("file", identity_file=Path(path))
        if passphrase := os.environ.get("SYRMAK_PASSPHRASE"):
            return cls("passphrase", passphrase=passphrase)
        return None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SyrmakError(f"unknown way to keep the vault key: '{self.mode}'.",
                              f"use one of: {', '.join(MODES)}.", code="bad-keeper")


def identity_file_for(path: Path, study_id: str) -> Path:
    """A folder (an existing one, or a path without a file extension) holds one key file
    per study; a path with an extension (``.key``, ``.txt``) is the key file itself."""
    if path.is_dir() or (not path.exists() and not path.suffix):
        # Not "<id>.key": that name is the old AES key file, which may still sit beside it.
        return path / f"syrmak-{study_id}.key"
    return path


def destroy_file(path: Path) -> None:
    """Overwrite a key or backup file with zeros before unlinking it.

    On journaling or copy-on-write file systems and SSDs the old blocks may survive; the
    docs say so. This still defeats undelete tools and casual recovery.
    """
    if not path.is_file():
        return
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.write(b"\0" * size)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def describe(study) -> str:
    """The vault's state in words, without opening anything."""
    import sqlalchemy as sa

    from syrmak.store import schema

    c = schema.contacts
    with study.engine.connect() as connection:
        counts = dict(connection.execute(
            sa.select(c.c.kind, sa.func.count()).group_by(c.c.kind)).all())
    held = (f"{counts.get('personal', 0)} personal-data entries, "
            f"{counts.get('quarantine', 0)} quarantined answers")
    if study.vault_is_legacy:
        return (f"Old AES vault (syrmak 0.1) holding {held}; its key file is unprotected. "
                "Re-seal it: syrmak vault upgrade DIR")
    where = {"passphrase": f"locked with a passphrase in {locked_identity_path(study.id)}",
             "keyring": "in the system keyring",
             "file": f"in the key file {study.meta('vault_identity_hint')}"}
    return (f"age vault holding {held}; public key {study.recipient.public_key}; "
            f"private key {where[study.meta('vault_keeper')]}.")
