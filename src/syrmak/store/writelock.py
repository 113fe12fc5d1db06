"""One writer at a time per SQLite store, within this process.

SQLite allows one writer; two threads of the web server that both turn a read transaction
into a write can make one fail at once with "database is locked" (WAL does not wait in
that case). The workspace's writes therefore queue on a lock per store before they open
their transaction, so 50 coders clicking at once all land, in turn. PostgreSQL takes
concurrent writers itself and needs no lock here.

(The import branch adds ``store.db.writer`` with BEGIN IMMEDIATE and an advisory lock on
PostgreSQL; the two belong together once both are merged.)
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    import sqlalchemy as sa

_locks: dict[str, threading.RLock] = {}
_guard = threading.Lock()


def _lock_for(engine: sa.Engine) -> threading.RLock:
    key = str(engine.url)
    with _guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = threading.RLock()
        return lock


@contextlib.contextmanager
def serialized(engine: sa.Engine) -> Iterator[None]:
    """Hold this store's write lock (SQLite only) for the duration of a write."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with _lock_for(engine):
        yield
