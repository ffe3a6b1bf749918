"""events are never replaced (SQLite REPLACE) nor emptied (PostgreSQL TRUNCATE)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# 0005 refuses UPDATE and DELETE of an event, row by row. Two statements slip past that:
#
# - SQLite's REPLACE (``REPLACE INTO``, ``INSERT OR REPLACE``, ``UPDATE OR REPLACE``) deletes the
#   row that holds the id or the receipt number, then inserts its own: "When the REPLACE conflict
#   resolution strategy deletes rows in order to satisfy a constraint, delete triggers fire if
#   and only if recursive triggers are enabled" (https://www.sqlite.org/lang_conflict.html), and
#   recursive triggers are off unless each connection turns them on
#   (https://www.sqlite.org/pragma.html#pragma_recursive_triggers). So an insert (or the one
#   update 0005 allows, the receipt number) is refused here when another event already holds its
#   id or its receipt number: a BEFORE trigger runs before the conflict is resolved.
# - PostgreSQL's TRUNCATE fires no row trigger, only its own, per statement
#   (https://www.postgresql.org/docs/current/sql-createtrigger.html), also when it reaches the
#   table through ``TRUNCATE unit CASCADE``.
#
# A role that owns the table can still drop a trigger: the bot should connect as one that does
# not (storage/roles.py, ISOBOT_APP_DATABASE_URL).
SQLITE_TRIGGERS = {
    'event_no_replace': """CREATE TRIGGER event_no_replace BEFORE INSERT ON event
       WHEN EXISTS (SELECT 1 FROM event WHERE id = NEW.id OR reference = NEW.reference)
       BEGIN SELECT RAISE(ABORT, 'events are append-only: REPLACE refused'); END""",
    'event_no_replace_on_update': """CREATE TRIGGER event_no_replace_on_update
       BEFORE UPDATE ON event
       WHEN EXISTS (SELECT 1 FROM event WHERE id <> OLD.id
                    AND (id = NEW.id OR reference = NEW.reference))
       BEGIN SELECT RAISE(ABORT, 'events are append-only: REPLACE refused'); END""",
}
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION isobot_event_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: TRUNCATE of % refused', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
FOR EACH STATEMENT EXECUTE FUNCTION isobot_event_no_truncate()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS.values():
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS event_no_truncate ON event')
        op.execute('DROP FUNCTION IF EXISTS isobot_event_no_truncate()')
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
