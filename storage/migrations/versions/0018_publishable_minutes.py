"""minutes a committee publishes as they are: an apology's reason, an exempt item's public summary, members of the public present

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('attendance', sa.Column('note', sa.String(length=300), nullable=True))
    op.add_column('agenda_items', sa.Column('public_summary', sa.Text(), nullable=True))
    op.add_column('meetings', sa.Column('public_attendance', sa.String(length=300), nullable=True))


def downgrade() -> None:
    op.drop_column('meetings', 'public_attendance')
    op.drop_column('agenda_items', 'public_summary')
    op.drop_column('attendance', 'note')
