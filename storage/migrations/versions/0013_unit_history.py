"""unit history: every rename, move, merge and closing with its effective date

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:40:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unitchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('change', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('old_value', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('new_value', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('recorded_at', storage.models.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unitchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unitchange_unit_id'), ['unit_id'], unique=False)
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=255),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('obligation', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
    with op.batch_alter_table('unitchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unitchange_unit_id'))
    op.drop_table('unitchange')
