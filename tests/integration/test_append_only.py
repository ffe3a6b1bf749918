"""Logged events are evidence: the database itself refuses to replace, delete or empty them,
whichever statement is tried, and the bot may run as a role that cannot lift that refusal."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlmodel import select

from storage.db import make_engine, session_scope, upgrade
from storage.events import append_event
from storage.models import Event, Outbox
from storage.units import upsert_units
from tests.conftest import at
from tests.support import cli


def logged_event(engine) -> Event:
    with session_scope(engine) as session:
        upsert_units(session, rows=[("U1", "UBND xã Một", "commune", None)],
                     now=at("2026-01-01 08:00"))
        unit_id = session.exec(text("SELECT id FROM unit")).scalar()
        return append_event(session, event=Event(unit_id=unit_id, actor="telegram:1001",
                                                 kind="done", at=at("2026-11-30 09:00"),
                                                 note="the original"))


# A forger's copy of the event: the same id, or another id with the same receipt number.
FORGERIES = {
    "sqlite": [
        "REPLACE INTO event (id, reference, unit_id, actor, at, kind, note) "
        "SELECT id, reference, unit_id, actor, at, kind, 'forged' FROM event WHERE id = :id",
        "INSERT OR REPLACE INTO event (id, reference, unit_id, actor, at, kind, note) "
        "SELECT id + 100, reference, unit_id, actor, at, kind, 'forged' FROM event "
        "WHERE id = :id",
    ],
    "postgresql": [
        "INSERT INTO event (id, reference, unit_id, actor, at, kind, note) "
        "SELECT id, reference, unit_id, actor, at, kind, 'forged' FROM event WHERE id = :id "
        "ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note",
    ],
}


def test_a_logged_event_cannot_be_replaced(engine):
    event = logged_event(engine)
    for statement in FORGERIES[engine.dialect.name]:
        with pytest.raises(DBAPIError, match="append-only"), session_scope(engine) as session:
            session.exec(text(statement).bindparams(id=event.id))
    with session_scope(engine) as session:
        assert [(e.id, e.note) for e in session.exec(select(Event))] == [(event.id,
                                                                         "the original")]
        # Ordinary inserts still work, and take their receipt number.
        later = append_event(session, event=Event(unit_id=event.unit_id, actor="cli:test",
                                                  kind="done", at=at("2026-12-01 09:00")))
    assert later.reference == f"ISO-2026-{later.id:06d}" and later.id > event.id


@pytest.mark.postgres
def test_the_events_cannot_be_emptied_at_once(engine):
    event = logged_event(engine)
    for statement in ("TRUNCATE event", "TRUNCATE unit CASCADE"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(engine) as session:
            session.exec(text(statement))
    with session_scope(engine) as session:
        assert session.get(Event, event.id).note == "the original"




@pytest.fixture
def app_url(database_url):
    """The URL of a login role named for this test (roles belong to the whole server)."""
    name = f"isobot_app_{uuid.uuid4().hex[:8]}"
    yield make_url(database_url).set(username=name, password="p%w:d'1@").render_as_string(
        hide_password=False)
    admin = make_engine(database_url)
    with admin.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE "{name}"'))
    admin.dispose()


@pytest.mark.postgres
def test_the_bot_role_can_work_but_cannot_lift_the_protection(engine, database_url, app_url):
    event = logged_event(engine)
    for _ in range(2):  # every upgrade grants again
        done = cli.isobot(database_url, "db", "upgrade", now=at("2026-12-01 09:00"),
                          env={"ISOBOT_APP_DATABASE_URL": app_url})
        assert done.exit_code == 0, done.output
    bot = make_engine(app_url)
    try:
        upgrade(bot)  # what `isobot run` does first: nothing left to migrate
        with session_scope(bot) as session:  # what the bot does: log, queue, read, delete
            append_event(session, event=Event(unit_id=event.unit_id, actor="cli:test",
                                              kind="done", at=at("2026-12-01 09:00")))
            session.add(Outbox(unique_key="k1", platform="telegram", chat_id="1", kind="reply",
                               payload={}, next_attempt_at=at("2026-12-01 09:00"),
                               created_at=at("2026-12-01 09:00")))
            session.flush()
            session.exec(text("DELETE FROM outbox"))
            assert len(session.exec(select(Event)).all()) == 2
        for statement in ("ALTER TABLE event DISABLE TRIGGER USER",
                          "DROP TRIGGER event_no_truncate ON event", "TRUNCATE event",
                          "DELETE FROM event", "UPDATE alembic_version SET version_num = '1'"):
            with pytest.raises(ProgrammingError, match=r"must be owner|permission denied"), \
                    session_scope(bot) as session:
                session.exec(text(statement))
    finally:
        bot.dispose()


def test_the_bot_role_is_never_the_owner_and_needs_postgresql(database_url):
    owner = make_url(database_url)
    app_url = owner.render_as_string(hide_password=False) if owner.get_backend_name() == \
        "postgresql" else "postgresql+psycopg://isobot_app:secret@localhost:5432/isobot"
    refused = cli.isobot(database_url, "db", "upgrade", now=at("2026-12-01 09:00"),
                         env={"ISOBOT_APP_DATABASE_URL": app_url})
    assert refused.exit_code != 0
    assert ("superuser or the owner" in refused.output if owner.get_backend_name() ==
            "postgresql" else "PostgreSQL" in refused.output), refused.output
