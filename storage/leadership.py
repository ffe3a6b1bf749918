"""Which of several bot processes sharing one database does a job that must be done by one.

On PostgreSQL each role ("plan", "deliver:telegram") is a session-level advisory lock, held on
one connection this process keeps for it. PostgreSQL releases such a lock when its session
ends, whatever ends it — a clean stop, a ``kill -9``, a crash — so another process can take
the role over on its next try ("Once acquired at session level, an advisory lock is held until
explicitly released or the session ends": PostgreSQL manual, Explicit Locking, Advisory Locks).
Advisory locks belong to one database, so deployments on one server do not meet. A pooler in
transaction mode (PgBouncer) would hand the session to others: connect directly.

SQLite is one process's database: there the process simply holds every role.

A process also says it lives (:meth:`Leadership.present`), by a lock of its own for as long as it
runs, so another can tell whether the owner of a queue row's lease is gone
(:meth:`Leadership.alive`, :func:`storage.queue.release_orphans`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)


def lock_key(role: str) -> int:
    """The advisory lock's 64-bit key for ``role`` (the same in every process)."""
    digest = hashlib.blake2b(f"isobot:{role}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Leadership:
    """The roles this process holds, each taken when free and kept until resigned or lost.

    Call it from one thread (the event loop's): the connection is not shared with others.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._connections: dict[str, Connection] = {}

    def leads(self, role: str) -> bool:
        """Whether this process holds ``role`` now, taking it when no other process does."""
        if not self.shared:
            return True
        held = self._connections.get(role)
        if held is not None:
            if _alive(held):
                return True
            log.warning("lost the %s role: its database session ended", role)
            self._drop(role)
        return self._take(role)

    def present(self, process: str) -> None:
        """Say, as long as this process runs, that ``process`` (its name as a lease owner,
        :data:`storage.queue.PROCESS`) is alive."""
        self.leads(_presence(process))

    def alive(self, process: str) -> bool:
        """Whether ``process``, another process that said it was :meth:`present`, still runs;
        on SQLite no other can."""
        if not self.shared:
            return False
        key = {"key": lock_key(_presence(process))}
        with self.engine.connect() as connection:
            free = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar_one()
            if free:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
        return not free

    def resign(self, role: str | None = None) -> None:
        """Give up ``role`` (every role when None) so another process can take it at once."""
        for name in [role] if role else list(self._connections):
            connection = self._connections.get(name)
            if connection is None:
                continue
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": lock_key(name)})
            except DBAPIError:
                connection.invalidate()  # the session is gone, and its lock with it
            self._drop(name)

    def _take(self, role: str) -> bool:
        try:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except DBAPIError:
            log.warning("cannot reach the database to take the %s role", role)
            return False
        try:
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                       {"key": lock_key(role)}).scalar_one()
        except DBAPIError:
            connection.invalidate()
            connection.close()
            return False
        if not taken:
            connection.close()
            return False
        self._connections[role] = connection
        log.info("this process now holds the %s role", role)
        return True

    def _drop(self, role: str) -> None:
        connection = self._connections.pop(role)
        with contextlib.suppress(DBAPIError):
            connection.close()


def _presence(process: str) -> str:
    return f"process:{process}"


def _alive(connection: Connection) -> bool:
    try:
        connection.execute(text("SELECT 1"))
    except DBAPIError:
        connection.invalidate()
        return False
    return True
