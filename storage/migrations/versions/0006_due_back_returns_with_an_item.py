"""a due-back remembers the agenda item it returned with

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 03:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('due_backs') as batch:
        batch.add_column(sa.Column('returned_item_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('due_backs') as batch:
        batch.drop_column('returned_item_id')
