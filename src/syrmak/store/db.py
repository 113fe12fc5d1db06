"""Engines and schema upgrades for SQLite files and PostgreSQL URLs."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from syrmak.errors import SyrmakError

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a reader (the web app, a notebook) work while an import writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted content (a withdrawn respondent, a removed document) is overwritten with
    # zeros instead of lingering in free pages of a file that may be copied or seized.
    cursor.execute("PRAGMA secure_delete=ON")
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
        engine = sa.create_engine(url)
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


def alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def backup_sqlite(path: Path, revision: str | None) -> Path:
    """Copy a SQLite study with the online backup API (safe with WAL) before upgrading it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
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


def ensure_current(engine: sa.Engine, sqlite_path: Path | None = None) -> Path | None:
    """Bring a store to the newest schema; back up an older SQLite file first.

    Returns the backup's path when one was made.
    """
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return None
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
