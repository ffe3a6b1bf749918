"""wrong codes: throttle guessing of invite and link codes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wrongcode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', storage.models.AwareDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wrongcode', schema=None) as batch_op:
        batch_op.create_index('ix_wrongcode_account', ['platform', 'user_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wrongcode', schema=None) as batch_op:
        batch_op.drop_index('ix_wrongcode_account')
    op.drop_table('wrongcode')
