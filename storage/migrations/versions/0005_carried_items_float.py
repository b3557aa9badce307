"""carried-forward agenda items float until the chair times them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agenda_items') as batch:
        batch.add_column(sa.Column('floating', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('agenda_items') as batch:
        batch.drop_column('floating')
