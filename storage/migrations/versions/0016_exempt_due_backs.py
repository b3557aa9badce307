"""a presenter due back from an exempt item: its reason is for the confidential minutes only

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('due_backs', sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE due_backs SET confidential = true WHERE item_id IN "
               "(SELECT id FROM agenda_items WHERE exempt_reason IS NOT NULL)")


def downgrade() -> None:
    op.drop_column('due_backs', 'confidential')
