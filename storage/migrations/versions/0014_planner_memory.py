"""planner memory: what the last committed planning tick did, for a fresh process

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 07:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.models


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('planner_memory',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('planned_at', storage.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('memory', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('planner_memory')
