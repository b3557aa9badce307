"""the meeting's Teams transcript: the job that fetches it and its cues

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 14:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'transcript_jobs',
        sa.Column('meeting_id', sa.Integer(), sa.ForeignKey('meetings.id'), primary_key=True),
        sa.Column('status', sa.String(length=30), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('with_speakers', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_transcript_jobs_next_try_at', 'transcript_jobs', ['next_try_at'])
    op.create_table(
        'transcript_cues',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('meeting_id', sa.Integer(), sa.ForeignKey('meetings.id'), nullable=False),
        sa.Column('start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('end', sa.DateTime(timezone=True), nullable=False),
        sa.Column('speaker', sa.String(length=200), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
    )
    op.create_index('ix_transcript_cues_meeting_id', 'transcript_cues', ['meeting_id'])


def downgrade() -> None:
    op.drop_index('ix_transcript_cues_meeting_id', 'transcript_cues')
    op.drop_table('transcript_cues')
    op.drop_index('ix_transcript_jobs_next_try_at', 'transcript_jobs')
    op.drop_table('transcript_jobs')
