"""the reply lane's index holds only pending replies

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The same words as storage.models.PENDING_REPLY and storage.outbox._pending_reply.
PENDING_REPLY = "state = 'pending' AND kind IN ('reply', 'edit')"


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_lane')
    op.create_index('ix_outbox_pending_replies', 'outbox', ['platform', 'id'], unique=False,
                    postgresql_where=sa.text(PENDING_REPLY), sqlite_where=sa.text(PENDING_REPLY))


def downgrade() -> None:
    op.drop_index('ix_outbox_pending_replies', table_name='outbox')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_lane', ['kind', 'state', 'platform', 'chat_id', 'id'],
                              unique=False)
