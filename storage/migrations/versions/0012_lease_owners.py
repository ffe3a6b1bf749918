"""each durable queue's row names the process holding its lease

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# A lease ends on the bot's clock, which `isobot run --now` starts again where it once was:
# a process that starts hands back at once what one that is gone held (storage.queue).
TABLES = ('evidencefile', 'outbox', 'inbox')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('leased_by', sa.String(length=32), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('leased_by')
