"""Engines and schema upgrades for SQLite files and PostgreSQL URLs."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from syrmak.errors import SyrmakError

MIGRATIONS = Path(__file__).with_name("migrations")
#: How long a writer waits for another one (an import of a large file) before giving up.
WRITE_WAIT_SECONDS = 120


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a reader (the web app, a notebook) work while an import writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted content (a withdrawn respondent, a removed document) is overwritten with
    # zeros instead of lingering in free pages of a file that may be copied or seized.
    cursor.execute("PRAGMA secure_delete=ON")
    # A writer waits for the one before it instead of failing at once ("database is locked").
    cursor.execute(f"PRAGMA busy_timeout={WRITE_WAIT_SECONDS * 1000}")
    cursor.close()


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (``postgresql://``) and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def url_has_password(url: str) -> bool:
    try:
        return bool(sa.engine.make_url(normalise_url(url)).password)
    except sa.exc.ArgumentError:
        return False


def create_engine(url: str) -> sa.Engine:
    url = normalise_url(url)
    try:
        # Statement parameters hold submission keys and answers: keep them out of every
        # exception text, traceback and log line.
        engine = sa.create_engine(url, hide_parameters=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise SyrmakError(
            f"cannot use database URL '{sa.engine.make_url(url).render_as_string(hide_password=True) if '://' in url else url}': {exc}",
            "use a folder path, sqlite:///path/study.db or postgresql://user@host/db "
            "(PostgreSQL needs: pip install 'syrmak[postgres]').",
            code="bad-database-url",
        ) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _lock_key(study_id: str) -> int:
    """The study's PostgreSQL advisory-lock key: a signed 64-bit number from its id."""
    digest = hashlib.sha256(f"syrmak-writer:{study_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


#: SQLite page cache (KiB) while an import writes: its inserts land at random places of the
#: unique index on submission keys, and the default 2 MB cache spills and re-reads pages
#: (a 200,000-row import ran 3-4% faster with this cache).
BULK_CACHE_KIB = 65_536


@contextlib.contextmanager
def bulk_cache(connection: sa.Connection) -> Iterator[None]:
    """A larger SQLite page cache for one bulk write on ``connection``, then the old size
    (the connection goes back to the pool; a server's pool should not keep it)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


@contextlib.contextmanager
def writer(engine: sa.Engine, study_id: str) -> Iterator[sa.Connection]:
    """A writing transaction that no other writer of the study runs beside.

    Imports number respondents from the stored maximum, and sealing and withdrawal rewrite
    whole answer arrays: two of them side by side would collide on numbers or lose each
    other's update. SQLite takes the write lock at BEGIN (``BEGIN IMMEDIATE``) instead of
    at the first write, after the reads it depends on; PostgreSQL takes an advisory lock
    keyed by the study. Either waits ``WRITE_WAIT_SECONDS`` for the writer before it.

    A constraint violation becomes a ``SyrmakError`` that does not repeat the database's
    message: PostgreSQL's names the conflicting value (a submission key).
    """
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            elif engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{WRITE_WAIT_SECONDS}s'")
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": _lock_key(study_id)})
            yield connection
    except sa.exc.IntegrityError as exc:
        raise SyrmakError(
            f"the study store refused the change: it conflicts with data already stored "
            f"({_constraint(exc)}); nothing was written.",
            "run the command again; if it fails the same way, another program may have "
            "changed the store.", code="store-conflict") from None
    except sa.exc.OperationalError as exc:
        if not _is_lock_timeout(exc):
            raise
        raise SyrmakError(
            f"another program kept writing to the study for more than {WRITE_WAIT_SECONDS} s "
            "(an import, a withdrawal, the web app); nothing was written.",
            "wait for it to finish, then run the command again.", code="study-busy") from None


def _constraint(exc: sa.exc.IntegrityError) -> str:
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return f"constraint {diag.constraint_name}"
    # SQLite's own message names the constraint's columns, never a value.
    text = str(exc.orig)
    return text if text.startswith(("UNIQUE", "NOT NULL", "CHECK", "FOREIGN KEY")) else \
        "a constraint"


def _is_lock_timeout(exc: sa.exc.OperationalError) -> bool:
    if getattr(exc.orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    return "database is locked" in str(exc.orig)


def now() -> datetime:
    """The time every stored timestamp is taken with: aware, UTC (the one clock of syrmak)."""
    return datetime.now(UTC)


#: The newest schema revision, which tests check is alembic's head: opening a store that is
#: current then reads one row and imports no alembic (its import and the scan of the
#: migration scripts were a tenth of a second or more of every command).
SCHEMA_HEAD = "0014"


def alembic_config(connection: sa.Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision among the migration scripts (alembic's own reading of them)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    """The store's schema revision (None for a database alembic never ran on)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        if len(found) == 1:
            return found[0][0]
        from alembic.runtime.migration import MigrationContext

        # None or several heads: alembic's answer (and its error for branches).
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def backup_sqlite(path: Path, revision: str | None) -> Path:
    """Copy a SQLite study with the online backup API (safe with WAL) before upgrading it."""
    stamp = now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.{revision or 'unversioned'}.{stamp}.bak{path.suffix}")
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def ensure_current(engine: sa.Engine, sqlite_path: Path | None = None, *,
                   upgrade_shared: bool = False) -> Path | None:
    """Bring a store to the newest schema; back up an older SQLite file first.

    A PostgreSQL store is shared: other researchers' programs, perhaps an older syrmak, use
    it at the same moment, and its backup is the administrator's (pg_dump), not a file we
    can copy. So it is upgraded only when asked (``upgrade_shared``, 'syrmak migrate DIR');
    opening it otherwise refuses with that advice. Returns the backup's path when one was
    made.
    """
    current = current_revision(engine)
    if current == SCHEMA_HEAD:
        return None
    head = head_revision()
    if current == head:
        return None
    if engine.dialect.name != "sqlite" and not upgrade_shared:
        raise SyrmakError(
            f"the shared study store is at schema revision {current or 'none'}; this syrmak "
            f"needs revision {head}.",
            "back it up first (pg_dump), make sure everyone has this syrmak version, then "
            "upgrade it once with 'syrmak migrate DIR'.",
            code="migration-needed")
    backup = None
    if current is not None and sqlite_path is not None and sqlite_path.exists():
        backup = backup_sqlite(sqlite_path, current)
    try:
        upgrade(engine)
    except sa.exc.SQLAlchemyError as exc:
        raise SyrmakError(
            f"could not upgrade the study store from revision {current} to {head}: {exc}",
            f"the store is unchanged; restore from {backup} if in doubt." if backup else None,
            code="migration-failed",
        ) from exc
    return backup


def timestamps(connection: sa.Connection, times) -> list:
    """UTC times (a pandas Series, NaT for none) as ``bulk_insert`` passes them: on SQLite
    the text SQLAlchemy's DateTime stores (``2021-09-15 10:00:00.000000``), formatted at
    once; elsewhere datetime objects."""
    import numpy as np
    import pandas as pd

    if connection.dialect.name != "sqlite":
        return [None if pd.isna(t) else t.to_pydatetime() for t in times]
    naive = times.dt.tz_convert(None) if getattr(times.dt, "tz", None) is not None else times
    values = naive.to_numpy(dtype="datetime64[us]")
    text = np.char.replace(np.datetime_as_string(values, unit="us").astype(str), "T", " ")
    out = text.astype(object)
    out[np.isnat(values)] = None
    return out.tolist()


def bulk_insert(connection: sa.Connection, table: sa.Table, columns: tuple[str, ...],
                rows) -> None:
    """Insert tuples fast: the driver's ``executemany`` on SQLite, ``COPY`` on PostgreSQL
    (psycopg 3); SQLAlchemy's executemany of dicts on anything else."""
    dialect = connection.dialect
    names = ", ".join(columns)
    if dialect.name == "sqlite":
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(statement, rows)
        except dialect.dbapi.Error as exc:
            raise _wrapped(statement, exc, dialect) from None
        finally:
            cursor.close()
        return
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        statement = f"COPY {table.name} ({names}) FROM STDIN"
        raw = connection.connection.driver_connection
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except dialect.dbapi.Error as exc:
            raise _wrapped(statement, exc, dialect) from None
        return
    batch = [dict(zip(columns, row, strict=True)) for row in rows]
    if batch:
        connection.execute(sa.insert(table), batch)


def _wrapped(statement: str, exc: Exception, dialect) -> sa.exc.DBAPIError:
    """A driver's own error as SQLAlchemy's (IntegrityError, OperationalError, ...), so that
    ``writer`` turns it into a message the same way; never with the rows' values."""
    return sa.exc.DBAPIError.instance(statement, None, exc, dialect.dbapi.Error,
                                      hide_parameters=True, dialect=dialect)
