"""where each person's own reminders go: the committee's chat, or their personal chat with Clerk

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reminder_preferences',
        sa.Column('teams_user_id', sa.String(length=400), nullable=False),
        sa.Column('privately', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('teams_user_id'),
    )


def downgrade() -> None:
    op.drop_table('reminder_preferences')
