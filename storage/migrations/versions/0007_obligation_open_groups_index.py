"""obligation index for the planner's groups

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00

The set-based planner counts open obligations per (duty, due date) on every tick and loads one
such group at a time. An index on (status, duty_key, due, id) answers both from the index
alone; it starts with status, so it also serves every query the index on status alone served,
and that one goes (one index fewer to keep up on each of a heavy tick's inserts).
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_index('ix_obligation_status')
        batch_op.create_index('ix_obligation_open_groups', ['status', 'duty_key', 'due', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_index('ix_obligation_open_groups')
        batch_op.create_index('ix_obligation_status', ['status'], unique=False)
