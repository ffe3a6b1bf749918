"""What the health and metrics endpoints read: the outbox's load, active members, reachability."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import NamedTuple
from urllib.parse import quote

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from storage.models import Member, Outbox, OutboxState


class OutboxLoad(NamedTuple):
    """One messenger's pending messages, and since when the oldest due one may go."""

    pending: int
    oldest_due: dt.datetime | None  # None when no pending message is due


def outbox_load(session: Session, *, now: dt.datetime) -> dict[str, OutboxLoad]:
    """Pending messages per platform (due or not, in flight included), and the oldest due."""
    pending = dict(session.exec(
        select(Outbox.platform, func.count()).where(Outbox.state == OutboxState.PENDING)
        .group_by(Outbox.platform)).all())
    oldest = dict(session.exec(
        select(Outbox.platform, func.min(Outbox.next_attempt_at))
        .where(Outbox.state == OutboxState.PENDING, col(Outbox.next_attempt_at) <= now)
        .group_by(Outbox.platform)).all())
    # SQLite hands back the aggregate as text or a naive value: read it as stored, in UTC.
    return {platform: OutboxLoad(count, _aware(oldest.get(platform)))
            for platform, count in pending.items()}


def active_members(session: Session) -> dict[str, int]:
    """Active memberships (an account acting for a unit in a role) per platform."""
    return dict(session.exec(
        select(Member.platform, func.count()).where(Member.active)
        .group_by(Member.platform)).all())


def probe_database(engine: Engine, *, timeout: float) -> None:
    """Open a new connection, not one of the pool's, and read the schema's version.

    Raises when the database cannot be reached: the pool's open connections may still work
    (an open SQLite file survives its folder being moved) while no new one can be made.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite":
        # mode=rw: a missing file is an error, not a new empty database.
        connection = sqlite3.connect(f"file:{quote(url.database)}?mode=rw", uri=True,
                                     timeout=timeout)
    else:
        args, options = engine.dialect.create_connect_args(url)
        connection = engine.dialect.dbapi.connect(*args, **options,
                                                  connect_timeout=max(1, round(timeout)))
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT version_num FROM alembic_version")
        cursor.fetchall()
    finally:
        connection.close()


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
