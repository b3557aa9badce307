"""what Clerk owes a conversation is kept in the database: the transactional outbox; a reminder is
sent when its message is queued there, so its own attempts and errors are no longer kept

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 06:00:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.String(length=400), nullable=False),
        sa.Column('lane', sa.String(length=10), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('reply_to_id', sa.String(length=400), nullable=True),
        sa.Column('minutes_meeting_id', sa.Integer(), nullable=True),
        sa.Column('minutes_part', sa.Integer(), nullable=True),
        sa.Column('minutes_parts', sa.Integer(), nullable=True),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('not_before', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('unknown_outcomes', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=True),
        sa.Column('claimed_until', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('given_up_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_outbox_conversation_lane', 'outbox', ['conversation_id', 'lane', 'id'])
    op.create_index('ix_outbox_not_before', 'outbox', ['not_before'])
    with op.batch_alter_table('reminders') as batch:
        batch.drop_column('attempts')
        batch.drop_column('last_error')


def downgrade() -> None:
    with op.batch_alter_table('reminders') as batch:
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('last_error', sa.String(length=300), nullable=True))
    op.drop_table('outbox')
