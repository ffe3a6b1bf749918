"""Migration 0003 keeps every existing member receiving reminders, on SQLite and PostgreSQL."""

from alembic import command
from sqlalchemy import inspect, text

from storage.db import alembic_config, upgrade


def test_existing_members_keep_receiving_reminders_after_the_upgrade(engine):
    command.downgrade(alembic_config(engine), "0002")
    assert "linkcode" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO unit (code, name, kind, active, created_at) "
            "VALUES ('U1', 'UBND xã Đức Tân', 'commune', :yes, '2026-11-01 00:00:00+00')"),
            {"yes": True})
        connection.execute(text(
            "INSERT INTO member (unit_id, role, platform, platform_user_id, chat_id, display_name,"
            " language, active, joined_at) SELECT id, 'officer', 'telegram', '1001', '1001', "
            "'Lan', 'vi', :yes, '2026-11-01 00:00:00+00' FROM unit"), {"yes": True})
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT person_id, receives_reminders FROM member")).one()
    assert row[0] is None and bool(row[1]) is True
    assert "linkcode" in inspect(engine).get_table_names()
