"""evidence files: the evidence store's rows, and events that the database keeps append-only

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# An event is evidence: once written it is never changed or deleted. The one update allowed is
# the receipt number replacing the placeholder in the transaction that inserted the row
# (storage/events.py: append_event), and on PostgreSQL only when nothing else changes.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION isobot_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.reference LIKE 'tmp-%'
            AND (to_jsonb(NEW) - 'reference') = (to_jsonb(OLD) - 'reference') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'events are append-only: % of event % refused', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
FOR EACH ROW EXECUTE FUNCTION isobot_event_append_only()
"""
SQLITE_TRIGGERS = (
    """CREATE TRIGGER event_no_update BEFORE UPDATE ON event
       WHEN OLD.reference NOT LIKE 'tmp-%'
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER event_no_delete BEFORE DELETE ON event
       BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END""",
)


def upgrade() -> None:
    op.create_table('evidencefile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('ref', sa.Text(), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('staged', sa.LargeBinary(), nullable=True),
    sa.Column('blob_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', storage.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', storage.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('stored_at', storage.models.AwareDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evidencefile', schema=None) as batch_op:
        batch_op.create_index('ix_evidencefile_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidencefile_sha256'), ['sha256'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_file_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_event_evidence_file_id'), ['evidence_file_id'],
                              unique=False)
        batch_op.create_foreign_key('fk_event_evidence_file_id', 'evidencefile',
                                    ['evidence_file_id'], ['id'])
    # After the batch: on SQLite it rebuilds the table, which would drop a trigger made before.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS event_append_only ON event')
        op.execute('DROP FUNCTION IF EXISTS isobot_event_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS event_no_update')
        op.execute('DROP TRIGGER IF EXISTS event_no_delete')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_event_evidence_file_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_event_evidence_file_id'))
        batch_op.drop_column('evidence_file_id')

    with op.batch_alter_table('evidencefile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidencefile_sha256'))
        batch_op.drop_index('ix_evidencefile_due')
    op.drop_table('evidencefile')
