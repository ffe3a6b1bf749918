"""directive numbers and obligation labels: people read official numbers, not database ids

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Both nullable, no default: rows written before keep working (a directive without a number,
    # an obligation named from its note), so nothing needs rewriting.
    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))

    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_column('label')

    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.drop_column('number')
