"""every change to a meeting's own facts (venue, times, chair, secretary), with who and when

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'meeting_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), sa.ForeignKey('meetings.id'), nullable=False),
        sa.Column('what', sa.String(length=20), nullable=False),
        sa.Column('previous', sa.Text(), nullable=True),
        sa.Column('value', sa.Text(), nullable=True),
        sa.Column('by', sa.String(length=200), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_meeting_changes_meeting_id', 'meeting_changes', ['meeting_id'])


def downgrade() -> None:
    op.drop_index('ix_meeting_changes_meeting_id', 'meeting_changes')
    op.drop_table('meeting_changes')
