"""One writer at a time per store, within this process.

SQLite allows one writer; two threads of the web server that both turn a read transaction
into a write can make one fail at once with "database is locked" (WAL does not wait in
that case), or wait past the busy timeout behind a long write. And on any store a check
followed by an insert in two transactions (the duplicate check of a coding) is not atomic:
fifty clicks on the same passage at once stored several identical codings on PostgreSQL
in the tests. The workspace's writes therefore queue on a lock per store before they open
their transaction, so 50 coders clicking at once all land, once each, in turn.

The lock spans one process (``syrmak serve`` is one). A command run beside the server on
PostgreSQL is not covered; the import branch's ``store.db.writer`` (BEGIN IMMEDIATE, a
PostgreSQL advisory lock) is the cross-process answer, and the two belong together once
both are merged.
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
    """Hold this store's write lock for the duration of a write."""
    with _lock_for(engine):
        yield
