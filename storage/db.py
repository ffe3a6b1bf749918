"""Engines, sessions and schema migrations.

Alembic is imported only when there is something to migrate (or an Alembic command to run): a
database already at the newest revision is told by one query, and every ``isobot`` command,
``isobot plan`` on a timer first, starts without loading it.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: How long a SQLite writer waits for another to finish before "database is locked".
BUSY_SECONDS = 5.0
DEFAULT_DATABASE_URL = "sqlite:///data/isobot.sqlite3"


class MissingDatabaseFolder(FileNotFoundError):
    """A SQLite file named in a folder that does not exist: a mistyped path would otherwise
    start an empty database beside the real one."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's foreign keys enforced. Its folder must exist
    (:class:`MissingDatabaseFolder`), but for the default one, which is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            if url == DEFAULT_DATABASE_URL:
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                raise MissingDatabaseFolder(errno.ENOENT, "no such folder", str(folder))
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        _one_writer_at_a_time(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the delivery worker read while the conversation writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000:.0f}")
    cursor.close()


def _one_writer_at_a_time(engine: Engine) -> None:
    """Threads of this process take turns to write, as SQLite makes them anyway, but without
    its busy handler: a writer that finds the database locked sleeps 1, 2, 5, 10, 15, 20,
    25, ... 100 ms between tries (sqliteDefaultBusyCallback, sqlite.org/c3ref/busy_timeout),
    which under the webhook's load turns a wait of a millisecond into tens. A thread waiting
    for this lock wakes the moment the writer before it commits. (Another process's writes
    still meet the busy timeout.)
    """
    lock = threading.RLock()

    def before_write(conn, cursor, statement, parameters, context, executemany) -> None:
        if not conn.info.get(_WRITING) and statement.lstrip()[:7].upper().startswith(_WRITES):
            if not lock.acquire(timeout=BUSY_SECONDS):  # as SQLite's busy timeout gives up
                raise sqlite3.OperationalError("database is locked")
            conn.info[_WRITING] = True

    def written(conn) -> None:
        if conn.info.pop(_WRITING, False):
            lock.release()

    def given_back(dbapi_connection, record, reset_state) -> None:
        if record.info.pop(_WRITING, False):  # unfinished: the pool rolls it back
            lock.release()

    event.listen(engine, "before_cursor_execute", before_write)
    event.listen(engine, "commit", written)
    event.listen(engine, "rollback", written)
    event.listen(engine.pool, "reset", given_back)


_WRITING = "isobot_writing"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_ignoring_duplicates(session: Session, table: Table, *unique_columns: str) -> Insert:
    """``INSERT … ON CONFLICT (unique_columns) DO NOTHING`` in the session's dialect.

    SQLite (3.24 and later) and PostgreSQL share the clause, but SQLAlchemy builds it only from
    each dialect's own ``insert`` (https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#upsert).
    A row another process inserted meanwhile is skipped instead of failing the transaction.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(unique_columns))


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration, built in code so no ``alembic.ini`` has to be found."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the schema migrations up to ``revision``."""
    if revision == "head" and _revisions(engine) == [newest_revision()]:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def newest_revision() -> str:
    """The newest migration's revision, told without Alembic by its file's name:
    ``versions/NNNN_what_it_does.py`` has revision ``'NNNN'`` (a test checks it is the head)."""
    return max(path.name[:4] for path in (MIGRATIONS_DIR / "versions").glob("[0-9]" * 4 + "_*.py"))


def _revisions(engine: Engine) -> list[str]:
    """The revisions the database is at; none when it has no schema yet."""
    with engine.connect() as connection:
        try:
            return list(connection.execute(text("SELECT version_num FROM alembic_version"))
                        .scalars())
        except DBAPIError:  # no such table: a database never migrated
            return []
