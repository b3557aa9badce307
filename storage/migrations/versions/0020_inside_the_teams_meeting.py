"""inside the Teams meeting: the meeting's own facts from Teams, and a timezone per committee

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 13:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('meetings', sa.Column('scheduled_start', sa.DateTime(timezone=True), nullable=True))
    op.add_column('meetings', sa.Column('scheduled_end', sa.DateTime(timezone=True), nullable=True))
    op.add_column('meetings', sa.Column('graph_resource_id', sa.String(length=400), nullable=True))
    op.add_column('meetings', sa.Column('organizer_aad_id', sa.String(length=100), nullable=True))
    op.add_column('committees', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('committees', 'timezone')
    op.drop_column('meetings', 'organizer_aad_id')
    op.drop_column('meetings', 'graph_resource_id')
    op.drop_column('meetings', 'scheduled_end')
    op.drop_column('meetings', 'scheduled_start')
