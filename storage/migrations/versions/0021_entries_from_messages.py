"""an entry recorded from someone's chat message keeps the link back to it

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('item_entries', sa.Column('source_link', sa.String(length=1000), nullable=True))


def downgrade() -> None:
    op.drop_column('item_entries', 'source_link')
