"""committees, conversations, meeting record

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 09:02:30.624789
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('quorum', sa.Integer(), nullable=True),
    sa.Column('outcome_scale', sa.Text(), nullable=True),
    sa.Column('timekeeping', sa.Boolean(), nullable=False),
    sa.Column('last_action_number', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('processed_activities',
    sa.Column('conversation_id', sa.String(length=400), nullable=False),
    sa.Column('activity_id', sa.String(length=400), nullable=False),
    sa.Column('processed_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('conversation_id', 'activity_id')
    )
    op.create_table('conversations',
    sa.Column('id', sa.String(length=400), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('conversation_type', sa.String(length=40), nullable=True),
    sa.Column('tenant_id', sa.String(length=100), nullable=True),
    sa.Column('reference', sa.Text(), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_committee_id'), ['committee_id'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=400), nullable=False),
    sa.Column('teams_meeting_id', sa.String(length=400), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('started_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('chair_name', sa.String(length=200), nullable=True),
    sa.Column('chair_user_id', sa.String(length=400), nullable=True),
    sa.Column('planned_end_minute', sa.Integer(), nullable=True),
    sa.Column('current_item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_committee_id'), ['committee_id'], unique=False)

    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('committee_id', 'name_key')
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_members_committee_id'), ['committee_id'], unique=False)

    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('is_break', sa.Boolean(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('presenter', sa.String(length=200), nullable=True),
    sa.Column('planned_start_minute', sa.Integer(), nullable=False),
    sa.Column('planned_length_minutes', sa.Integer(), nullable=True),
    sa.Column('actual_start', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('actual_end', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overtime_notice_sent', sa.Boolean(), nullable=False),
    sa.Column('outcome_letter', sa.String(length=4), nullable=True),
    sa.Column('outcome_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('teams_user_id', sa.String(length=400), nullable=True),
    sa.Column('joined_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('left_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'name_key')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('item_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['item_entries.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('item_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_entries_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('item_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_entries_item_id'))

    op.drop_table('item_entries')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_meeting_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_meeting_id'))

    op.drop_table('agenda_items')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_committee_id'))

    op.drop_table('members')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_committee_id'))

    op.drop_table('meetings')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_committee_id'))

    op.drop_table('conversations')
    op.drop_table('processed_activities')
    op.drop_table('committees')
