"""absences: an officer's reminders go to a substitute for some days

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Date(), nullable=False),
    sa.Column('ends', sa.Date(), nullable=False),
    sa.Column('substitute_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', storage.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', storage.models.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['substitute_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_ends'), ['ends'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_unit_id'))
        batch_op.drop_index(batch_op.f('ix_absence_member_id'))
        batch_op.drop_index(batch_op.f('ix_absence_ends'))
    op.drop_table('absence')
