"""Server-side sessions: a random id in the browser's cookie, its SHA-256 in the store.

The store never holds a usable session id, so a copied database signs no one in. Each
session carries its CSRF token (the synchronizer-token pattern): a state-changing request
must send it back, which a page of another site cannot read.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.qual.lookup import now
from syrmak.store import schema
from syrmak.workspace.people import Researcher, researcher_by_id

if TYPE_CHECKING:
    from syrmak.study import Study

LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    researcher: Researcher
    csrf_token: str

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token.encode(), token.encode())


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def open_session(study: Study, researcher: Researcher, lifetime: timedelta = LIFETIME) -> str:
    """Start a session; returns the id to put in the cookie (shown nowhere else)."""
    session_id = secrets.token_urlsafe(32)
    at = now()
    w = schema.web_sessions
    with study.engine.begin() as connection:
        connection.execute(sa.delete(w).where(w.c.expires_at < at))
        connection.execute(sa.insert(w), {
            "id_hash": _digest(session_id), "researcher_id": researcher.id,
            "csrf_token": secrets.token_urlsafe(32), "created_at": at,
            "expires_at": at + lifetime})
        study.log("login", {"researcher": researcher.id}, researcher.name, connection)
    return session_id


def find_session(study: Study, session_id: str | None) -> Session | None:
    if not session_id or len(session_id) > 128:
        return None
    w = schema.web_sessions
    with study.engine.connect() as connection:
        row = connection.execute(sa.select(w).where(w.c.id_hash == _digest(session_id))).first()
        if row is None:
            return None
        expires = row.expires_at
        if expires.tzinfo is None:  # SQLite returns naive UTC datetimes
            expires = expires.replace(tzinfo=now().tzinfo)
        if expires < now():
            return None
        researcher = researcher_by_id(connection, row.researcher_id)
    return Session(researcher, row.csrf_token) if researcher else None


def close_session(study: Study, session_id: str | None) -> None:
    if not session_id:
        return
    w = schema.web_sessions
    with study.engine.begin() as connection:
        connection.execute(sa.delete(w).where(w.c.id_hash == _digest(session_id)))
