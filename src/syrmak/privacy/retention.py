"""Retention: deleting what a study no longer needs to keep, and proving it was deleted.

A study keeps contacts only as long as its ethics approval allows (often until the
interviews are done), recordings until they are transcribed, and backups of its store
only until an upgrade is known to be good. ``purge_contacts``, ``purge_recordings`` and
``purge_backups`` delete them for good: vault entries in one transaction followed by the
same overwriting a withdrawal does (``erasure``), files overwritten with zeros before they
are unlinked. Each purge is one audit entry (what, how many; never a value or a name).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.privacy import erasure
from syrmak.store import db, schema

if TYPE_CHECKING:
    from syrmak.study import Study

#: Where a study folder keeps recordings (encrypted at rest).
MEDIA = "media"


@dataclass(frozen=True)
class Purge:
    what: str
    deleted: int
    #: Files deleted (backups, recordings), by path.
    files: tuple[Path, ...] = ()
    #: Vault entries kept because their respondent has no submission time to compare.
    undated: int = 0
    #: What PostgreSQL could not rewrite (the freed rows stay in those tables' files).
    residue: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        if self.what == "contacts":
            text = f"Deleted {self.deleted} vault entries (contacts and quarantined answers)."
            if self.undated:
                text += (f" Kept {self.undated} of respondents without a submission time, "
                         "which --before cannot compare; purge without --before to delete "
                         "them.")
            return text
        return f"Deleted {self.deleted} {self.what} file(s)."


def parse_date(value: str | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise SyrmakError(f"--before '{value}' is not a date.", "write it as 2026-11-29.",
                          code="bad-time", value=value) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def purge_contacts(study: Study, before: str | date | None = None,
                   actor: str | None = None) -> Purge:
    """Delete the vault's entries (of respondents who answered before ``before``, if given)."""
    c, r = schema.contacts, schema.respondents
    cutoff = parse_date(before)
    with db.writer(study.engine, study.id) as connection:
        chosen = sa.select(r.c.id)
        undated = 0
        if cutoff is not None:
            chosen = chosen.where(r.c.submitted_at < cutoff)
            undated = connection.execute(
                sa.select(sa.func.count()).select_from(c.join(r, c.c.respondent_id == r.c.id))
                .where(r.c.submitted_at.is_(None))).scalar()
        deleted = connection.execute(
            sa.delete(c).where(c.c.respondent_id.in_(chosen))).rowcount
        study.log("purge", {"what": "contacts", "deleted": deleted,
                            "before": cutoff.date().isoformat() if cutoff else None},
                  actor, connection)
    done = Purge("contacts", deleted, undated=undated,
                 residue=erasure.vacuum(study, ("contacts",)))
    erasure.checkpoint(study, what="purged contacts", result=done)
    return done


def backups(study: Study) -> tuple[Path, ...]:
    """Copies of the store made on upgrades (``study.*.bak.db``): they hold everything the
    store held then, withdrawn respondents and purged contacts included."""
    folders = {study.folder} if study.folder is not None else set()
    if study.engine.dialect.name == "sqlite" and study.engine.url.database:
        folders.add(Path(study.engine.url.database).parent)
    return tuple(sorted({p for f in folders if f is not None and f.is_dir()
                         for p in f.glob("study.*.bak.db")}))


def recordings(study: Study) -> tuple[Path, ...]:
    if study.folder is None or not (study.folder / MEDIA).is_dir():
        return ()
    return tuple(sorted(p for p in (study.folder / MEDIA).rglob("*") if p.is_file()))


def purge_backups(study: Study, actor: str | None = None) -> Purge:
    return _purge_files(study, "backup", backups(study), actor)


def purge_recordings(study: Study, actor: str | None = None) -> Purge:
    return _purge_files(study, "recording", recordings(study), actor)


def _purge_files(study: Study, what: str, files: tuple[Path, ...], actor: str | None) -> Purge:
    for path in files:
        shred(path)
    study.log("purge", {"what": what, "deleted": len(files),
                        "files": [p.name for p in files]}, actor)
    return Purge(what, len(files), files=files)


def shred(path: Path) -> None:
    """Overwrite a file with zeros, flush it to the disk, then unlink it.

    On SSDs and copy-on-write or journaling file systems old blocks may survive anyway
    (docs/privacy.md); this is what a program can do.
    """
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        block = b"\0" * (1 << 20)
        left = size
        while left > 0:
            handle.write(block[:min(left, len(block))])
            left -= len(block)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
