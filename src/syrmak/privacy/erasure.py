"""Making erased data leave the store's files, after the transaction that erased it.

Deleting a row or nulling an answer only changes what queries see. On SQLite,
``secure_delete`` zeroes freed space in ``study.db``, but the committed change first
lands in the write-ahead log (``study.db-wal``) beside the frames that still hold the old
text, and it reaches ``study.db`` only when a checkpoint copies it there, which a second
program reading the study (``syrmak serve``, a notebook, DB Browser for SQLite, a backup
or sync tool) holds back. So the checkpoint's answer is checked, retried for a while, and
reported when it cannot finish.

On PostgreSQL a deleted or updated row stays in the table's files until the table is
rewritten: ``VACUUM FULL`` does that (it needs the table's owner and a moment with no
other session using the table). What PostgreSQL cannot erase at all is said in
docs/privacy.md: WAL segments, replicas, base backups, dump files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError

if TYPE_CHECKING:
    from syrmak.study import Study

#: How long to keep retrying a checkpoint that another reader holds back.
CHECKPOINT_WAIT_SECONDS = 10.0
#: How long ``VACUUM FULL`` waits for other sessions to let go of a table.
VACUUM_WAIT_SECONDS = 10
#: Tables that can hold a respondent's answers, contacts or documents.
RESPONDENT_TABLES = ("answer_columns", "contacts", "respondents", "repeat_columns",
                     "repeat_records")
#: What withdrawal erases besides: the sealed recordings and the shortlist entry.
INTERVIEW_TABLES = ("recordings", "interview_selections")
DOCUMENT_TABLES = ("documents", "document_segments", "document_variables", "codings", "memos",
                   "translations", "search_tokens", "search_chunks", "search_indexed",
                   "redactions")
CLOSE_THESE = ("syrmak serve, a Jupyter notebook, DB Browser for SQLite, the sqlite3 shell, "
               "or a backup or sync tool")


class ErasureIncomplete(SyrmakError):
    """The erasing transaction is committed, but the files still hold the old bytes."""

    def __init__(self, message: str, hint: str, result: object = None) -> None:
        super().__init__(message, hint, code="erasure-incomplete")
        #: What the committed operation did (e.g. a ``Withdrawal``), for the caller to show.
        self.result = result


def finish(study: Study,
           tables: Iterable[str] = RESPONDENT_TABLES + DOCUMENT_TABLES + INTERVIEW_TABLES,
           *, what: str = "erased data") -> tuple[str, ...]:
    """Overwrite what committed erasures freed; the run of ``syrmak scrub``.

    Returns what PostgreSQL could not rewrite (nothing on SQLite). Raises
    ``ErasureIncomplete`` when SQLite's log cannot be folded in because another program
    holds the study open.
    """
    residue = vacuum(study, tables)
    checkpoint(study, what=what)
    return residue


def checkpoint(study: Study, *, what: str = "erased data", result: object = None) -> None:
    """Fold SQLite's write-ahead log into ``study.db`` and truncate it, or say who prevents it."""
    engine = study.engine
    if engine.dialect.name != "sqlite":
        return
    deadline = time.monotonic() + CHECKPOINT_WAIT_SECONDS
    with engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            # Short waits inside SQLite, retried here, so a reader that lets go is noticed
            # soon and a reader that stays open does not hold us for the writers' timeout.
            cursor.execute("PRAGMA busy_timeout=200")
            while True:
                busy, log, copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy == 0 and log == copied:
                    return
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.1)
        finally:
            from syrmak.store.db import WRITE_WAIT_SECONDS

            cursor.execute(f"PRAGMA busy_timeout={WRITE_WAIT_SECONDS * 1000}")
            cursor.close()
    path = Path(engine.url.database or "study.db")
    holders = _holders(path)
    who = (f" (open now in: {', '.join(holders)})" if holders else "")
    raise ErasureIncomplete(
        f"the {what} is no longer in the study, but {path.name} and {path.name}-wal still hold "
        f"its bytes: another program has the study open{who}, so SQLite could not overwrite "
        f"them within {CHECKPOINT_WAIT_SECONDS:g} s.",
        f"close every other program using {path} ({CLOSE_THESE}), then run "
        f"'syrmak scrub {_study_arg(study)}'.",
        result,
    )


def vacuum(study: Study, tables: Iterable[str]) -> tuple[str, ...]:
    """Rewrite PostgreSQL tables so dead row versions leave their files; say what failed."""
    engine = study.engine
    if engine.dialect.name != "postgresql":
        return ()
    problems = []
    quote = engine.dialect.identifier_preparer.quote
    # VACUUM cannot run inside a transaction block.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"SET lock_timeout = '{VACUUM_WAIT_SECONDS}s'")
        try:
            for table in dict.fromkeys(tables):
                before = _filenode(connection, table)
                try:
                    connection.exec_driver_sql(f"VACUUM FULL {quote(table)}")
                except sa.exc.OperationalError as exc:
                    if getattr(exc.orig, "sqlstate", None) != "55P03":
                        raise
                    problems.append(
                        f"table {table} was not rewritten: another session kept using it for "
                        f"{VACUUM_WAIT_SECONDS} s. Close other syrmak sessions and run "
                        "'syrmak scrub', or ask the administrator to run VACUUM FULL on it.")
                    continue
                # A role that does not own the table gets only a warning from VACUUM, and
                # the table keeps its file: the unchanged file number tells.
                if _filenode(connection, table) == before:
                    problems.append(
                        f"table {table} was not rewritten: this database role may not "
                        "VACUUM FULL it (only its owner may). Ask the database administrator "
                        f"to run VACUUM FULL {table}.")
        finally:
            connection.exec_driver_sql("RESET lock_timeout")
    return tuple(problems)


def _filenode(connection: sa.Connection, table: str):
    return connection.execute(sa.text("SELECT pg_relation_filenode(to_regclass(:t))"),
                              {"t": table}).scalar()


def _holders(path: Path) -> list[str]:
    """Other processes of this user with the study file open (Linux; best effort)."""
    wanted = {str(path.resolve()) + suffix for suffix in ("", "-wal", "-shm")}
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in wanted for fd in (entry / "fd").iterdir()):
                name = (entry / "comm").read_text().strip()
                found.append(f"process {entry.name} ({name})")
        except OSError:
            continue
    return found


def _study_arg(study: Study) -> str:
    return str(study.folder) if study.folder is not None else "DIR"
