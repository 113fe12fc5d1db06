"""The audit trail: an append-only, hash-chained record of every sensitive act.

The general event log (``events``) says who changed what; the audit trail is for the acts
someone may later need to account for: a decryption of contacts, an export, a report build,
a withdrawal, a purge, a login. Each entry's SHA-256 covers its own fields and the previous
entry's hash, so editing, removing or reordering an entry behind syrmak's back breaks the
chain from that entry on, and ``verify`` names the first broken one. The store refuses
UPDATE and DELETE on the table (triggers, migration 0010); the chain is what catches an
owner who drops the triggers or edits the file directly.

Details never hold a personal value: callers pass counts, ids, file names and formats.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import schema

if TYPE_CHECKING:
    from syrmak.study import Study

#: The hash an empty trail's first entry chains to.
GENESIS = "0" * 64

#: Actions ``Study.log`` also appends to the audit trail, with the detail key that names
#: their target (when there is one).
AUDITED: dict[str, str | None] = {
    "contacts-read": None,
    "contact-show": "respondent",
    # One entry per decrypted contact of a shortlisted interviewee (interviews/selection.py).
    "interview-contact-read": "respondent",
    "interview-contact-damaged": None,
    "quarantine-list": None,
    "quarantine-release": "respondent",
    "export": "file",
    "report-build": "spec",
    "export-qdpx": "file",
    "withdraw": "respondent",
    "redaction-reveal": "document",
    "recording-play": "recording",
    "purge": "what",
    "archive": "file",
    "login": "researcher",
    "login-failed": "researcher",
    "coupon-issue": "respondent",
    "vault-upgrade": None,
    # Who may append to (and not rewrite) this trail on PostgreSQL (privacy/grants.py).
    "db-grant": "role",
    "seal": None,
}


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: dict
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Verification:
    entries: int
    #: The first entry whose hash or link does not hold, or None when the chain is whole.
    broken: Entry | None = None
    reason: str = ""
    #: The newest entry's hash: keep a copy elsewhere to notice entries cut from the end.
    head: str = GENESIS

    @property
    def ok(self) -> bool:
        return self.broken is None


def entry_hash(prev_hash: str, at: str, actor: str, action: str, target: str,
               detail: str) -> str:
    """SHA-256 over the previous hash and the entry's fields, as one canonical JSON array."""
    payload = json.dumps([prev_hash, at, actor, action, target, detail], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock(connection: sa.Connection) -> None:
    """Hold the trail's head until commit, so two appends cannot chain to the same entry."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": int.from_bytes(hashlib.sha256(b"syrmak-audit").digest()[:8],
                                                  "big", signed=True)})
    elif connection.dialect.name == "sqlite":
        # A write statement (that matches no row, so no trigger fires) takes SQLite's write
        # lock before the head is read; the unique prev_hash backs this up.
        connection.execute(sa.text("DELETE FROM audit_log WHERE 0"))


def append(connection: sa.Connection, action: str, actor: str, target: str = "",
           detail: dict | None = None) -> str:
    """Add an entry in the caller's transaction; returns its hash."""
    a = schema.audit_log
    _lock(connection)
    prev = connection.execute(sa.select(a.c.hash).order_by(a.c.id.desc()).limit(1)).scalar()
    prev = prev or GENESIS
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    digest = entry_hash(prev, at, actor, action, str(target), text)
    connection.execute(sa.insert(a), {"at": at, "actor": actor, "action": action,
                                      "target": str(target)[:255], "detail": text,
                                      "prev_hash": prev, "hash": digest})
    return digest


def target_of(action: str, detail: dict | None) -> str:
    key = AUDITED.get(action)
    value = (detail or {}).get(key) if key else None
    return "" if value is None else str(value)


def _entry(row) -> Entry:
    try:
        detail = json.loads(row.detail)
    except ValueError:
        detail = {"unreadable": True}
    return Entry(row.id, row.at, row.actor, row.action, row.target, detail, row.prev_hash,
                 row.hash)


def _parse_time(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise SyrmakError(f"--{name} '{value}' is not a date or time.",
                          "write it as 2026-11-29 or 2026-11-29T14:30.",
                          code="bad-time", value=value) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def entries(study: Study, *, action: str | None = None, actor: str | None = None,
            since: str | None = None, until: str | None = None) -> list[Entry]:
    """The trail, oldest first, filtered by action, actor and time (ISO dates, UTC)."""
    a = schema.audit_log
    query = sa.select(a).order_by(a.c.id)
    if action:
        query = query.where(a.c.action == action)
    if actor:
        query = query.where(a.c.actor == actor)
    if (start := _parse_time(since, "since")) is not None:
        query = query.where(a.c.at >= start)
    if (end := _parse_time(until, "until")) is not None:
        query = query.where(a.c.at < end)
    with study.engine.connect() as connection:
        return [_entry(row) for row in connection.execute(query)]


def verify(study: Study) -> Verification:
    """Walk the chain from the start; name the first entry whose hash or link fails."""
    a = schema.audit_log
    prev = GENESIS
    count = 0
    with study.engine.connect() as connection:
        for row in connection.execute(sa.select(a).order_by(a.c.id)):
            count += 1
            if row.prev_hash != prev:
                return Verification(count, _entry(row),
                                    "it does not follow the entry before it (an entry was "
                                    "removed, inserted or reordered here)")
            if entry_hash(row.prev_hash, row.at, row.actor, row.action, row.target,
                          row.detail) != row.hash:
                return Verification(count, _entry(row),
                                    "its content does not match its hash (it was edited)")
            prev = row.hash
    return Verification(count, head=prev)
