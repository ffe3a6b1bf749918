"""inbox, replies through the outbox, reachability of members, directive-long notes, the
due index in sending order

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('update_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('chat_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', storage.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', storage.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'update_id', name='uq_inbox_update')
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_chat', ['platform', 'chat_key', 'id'], unique=False)
        batch_op.create_index('ix_inbox_due', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_due', ['state', 'platform', 'next_attempt_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_outbox_lane', ['kind', 'state', 'platform', 'chat_id', 'id'],
                              unique=False)

    # A directive's text (up to 4,000 characters) is its obligations' note.
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.alter_column('note', existing_type=sqlmodel.sql.sqltypes.AutoString(length=2000),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=4000),
                              existing_nullable=True)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable_since', storage.models.AwareDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unreachable_failures', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('unreachable_failures')
        batch_op.drop_column('unreachable_since')

    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.alter_column('note', existing_type=sqlmodel.sql.sqltypes.AutoString(length=4000),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=2000),
                              existing_nullable=True)

    # Replies to people who are not members (member_id NULL) cannot stay in the older schema.
    op.execute("DELETE FROM outbox WHERE member_id IS NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_lane')
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_due')
        batch_op.drop_index('ix_inbox_chat')

    op.drop_table('inbox')
