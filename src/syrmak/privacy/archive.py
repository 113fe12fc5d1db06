"""Encrypted hand-over: a whole study as one age-encrypted file, and back.

Researchers move studies between laptops, and to a colleague, by USB stick, e-mail or a
cloud folder; any of them can leak. ``create`` writes the study folder (store, media,
settings, spec, interviews) as a tar archive encrypted with age (``pyrage``), to a
passphrase (scrypt) or to recipients' public keys (X25519); ``restore`` opens it into a
new folder. Without the passphrase or a private key the file reveals nothing but its size.

What is left out, on purpose:

* the vault's private key, which never sits in the study folder; a colleague who must read
  contacts gets the key separately (docs/privacy.md), everyone else works without it;
* store backups (``study.*.bak.db``), which may still hold withdrawn respondents;
* any file that holds an age private key in clear (a key someone put in the folder);
* SQLite's ``-wal`` and ``-shm`` files: the store goes in as one consistent snapshot.

A PostgreSQL study is archived as a SQLite study (its tables copied into ``study.db``),
so the archive opens on a laptop; the team moves it back with ``syrmak init --db`` and a
re-import, or keeps working on the laptop.

The plaintext tar is built in memory and never written to disk, so a study is archived
within the machine's memory (studies of interviews and a survey are tens of megabytes).
"""

from __future__ import annotations

import io
import sqlite3
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
import tomli_w

from syrmak.errors import SyrmakError
from syrmak.store import db, schema

if TYPE_CHECKING:
    from syrmak.study import Study

#: The folder every member of the archive sits under.
ROOT = "study"
SECRET_KEY_MARK = b"AGE-SECRET-KEY-"


@dataclass(frozen=True)
class Archived:
    path: Path
    files: int
    size: int
    #: Files of the study folder deliberately not archived, with the reason.
    left_out: tuple[str, ...] = ()


def _skip_reason(path: Path) -> str | None:
    name = path.name
    if name in ("study.db", "study.db-wal", "study.db-shm", "study.db-journal"):
        return ""  # the store goes in as a snapshot
    if name.endswith(".bak.db"):
        return "a store backup, which may hold withdrawn respondents (delete it with " \
               "'syrmak purge DIR --backups')"
    try:
        with open(path, "rb") as handle:
            if SECRET_KEY_MARK in handle.read(1 << 20):
                return "it holds a private key in clear"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})"
    return None


def _sqlite_snapshot(path: Path) -> bytes:
    """One consistent copy of the store, WAL folded in, taken with SQLite's backup API."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(":memory:")
    try:
        source.backup(target)
        return target.serialize()
    finally:
        source.close()
        target.close()


def _copy_to_sqlite(study: Study) -> bytes:
    """A PostgreSQL store's tables as a SQLite store, in memory."""
    from sqlalchemy.pool import StaticPool

    engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    try:
        db.upgrade(engine)
        with study.engine.connect() as source, engine.begin() as target:
            target.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in schema.metadata.sorted_tables:
                rows = [dict(r._mapping) for r in source.execute(sa.select(table))]
                if rows:
                    target.execute(sa.insert(table), rows)
        raw = engine.raw_connection()
        try:
            return raw.driver_connection.serialize()
        finally:
            raw.close()
    finally:
        engine.dispose()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(f"{ROOT}/{name}")
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _recipients(keys: tuple[str, ...]):
    from pyrage import x25519

    found = []
    for key in keys:
        try:
            found.append(x25519.Recipient.from_str(key.strip()))
        except Exception:  # pyrage raises its own RecipientError (and ValueError) here
            raise SyrmakError(f"recipient {len(found) + 1} is not an age public key.",
                              "give the recipient's key as printed by age-keygen: age1...",
                              code="bad-recipient") from None
    return found


def create(study: Study, out: str | Path, *, passphrase: str | None = None,
           recipients: tuple[str, ...] = (), actor: str | None = None) -> Archived:
    """Write ``study`` as one encrypted file at ``out`` (to a passphrase or to recipients)."""
    import pyrage

    from syrmak.store.vault import check_passphrase

    out = Path(out)
    if bool(passphrase) == bool(recipients):
        raise SyrmakError("an archive is encrypted either to a passphrase or to recipients' "
                          "public keys.", "give one of the two.", code="bad-argument")
    if out.exists():
        raise SyrmakError(f"{out} exists already.", "choose a new file name.",
                          code="file-exists", file=str(out))
    if study.folder is None:
        raise SyrmakError("only a study folder can be archived.",
                          "give the study's folder, not a database URL.", code="bad-argument")
    if passphrase:
        check_passphrase(passphrase, (study.title, study.folder.name))
    keys = _recipients(recipients) if recipients else []
    folder = study.folder.resolve()
    left_out, count = [], 0
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        config = dict(study.config)
        if study.engine.dialect.name == "sqlite":
            store = _sqlite_snapshot(Path(study.engine.url.database))
        else:
            store = _copy_to_sqlite(study)
            config.pop("store", None)
        _add(tar, "study.db", store)
        _add(tar, "syrmak.toml", tomli_w.dumps(config).encode("utf-8"))
        count = 2
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if not path.is_file() or path.is_symlink() or relative.as_posix() == "syrmak.toml" \
                    or path.resolve() == out.resolve():
                continue
            # The chart cache is rebuilt on the next report build.
            reason = "" if relative.parts[0] == ".syrmak-cache" else _skip_reason(path)
            if reason is not None:
                if reason:
                    left_out.append(f"{relative.as_posix()}: {reason}")
                continue
            _add(tar, relative.as_posix(), path.read_bytes())
            count += 1
    plain = buffer.getvalue()
    sealed = pyrage.passphrase.encrypt(plain, passphrase) if passphrase else \
        pyrage.encrypt(plain, keys)
    out.write_bytes(sealed)
    study.log("archive", {"file": out.name, "files": count,
                          "to": "passphrase" if passphrase else f"{len(keys)} recipient(s)"},
              actor)
    return Archived(out, count, len(sealed), tuple(left_out))


def restore(archive: str | Path, folder: str | Path, *, passphrase: str | None = None,
            identity: str | Path | None = None) -> Path:
    """Open an archive into ``folder`` (new or empty); returns the folder."""
    import pyrage

    archive, folder = Path(archive), Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise SyrmakError(f"{folder} is not empty.", "restore into a new folder.",
                          code="study-exists", file=str(folder))
    data = archive.read_bytes()
    try:
        if identity is not None:
            plain = pyrage.decrypt(data, _identities(Path(identity)))
        else:
            plain = pyrage.passphrase.decrypt(data, passphrase or "")
    except Exception:  # pyrage.DecryptError; any failure here means the same to the user
        raise SyrmakError(f"{archive.name} does not open with this "
                          f"{'key' if identity is not None else 'passphrase'}.",
                          "check the passphrase or key file (and that the file is a syrmak "
                          "archive, complete and unchanged).", code="archive-locked",
                          file=str(archive)) from None
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        members = tar.getmembers()
        if not members or any(not m.name.startswith(f"{ROOT}/") for m in members):
            raise SyrmakError(f"{archive.name} is not a syrmak archive.",
                              "make one with 'syrmak archive DIR OUT'.", code="not-a-study")
        for member in members:
            member.name = member.name[len(ROOT) + 1:]
        folder.mkdir(parents=True, exist_ok=True)
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        tar.extractall(folder, members=members, filter="data")
    return folder


def _identities(path: Path):
    from pyrage import x25519

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SyrmakError(f"cannot read the key file {path.name}: {exc}",
                          "give the age key file (AGE-SECRET-KEY-...).", code="bad-key",
                          file=str(path)) from None
    found = [x25519.Identity.from_str(line.strip()) for line in lines
             if line.strip().startswith("AGE-SECRET-KEY-")]
    if not found:
        raise SyrmakError(f"{path.name} holds no age private key.",
                          "give the age key file (AGE-SECRET-KEY-...).", code="bad-key",
                          file=str(path))
    return found
