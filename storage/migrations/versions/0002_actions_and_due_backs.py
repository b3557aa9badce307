"""actions and due-backs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:09:15.896630
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_next_meeting', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('closed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('committee_id', 'number')
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_status'), ['status'], unique=False)

    op.create_table('due_backs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('presenter', sa.String(length=200), nullable=False),
    sa.Column('presenter_user_id', sa.String(length=400), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('returned_meeting_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.ForeignKeyConstraint(['returned_meeting_id'], ['meetings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('due_backs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_due_backs_committee_id'), ['committee_id'], unique=False)

    op.create_table('action_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('by', sa.String(length=200), nullable=True),
    sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_events_action_id'), ['action_id'], unique=False)

    op.create_table('action_owners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('teams_user_id', sa.String(length=400), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_owners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_owners_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_owners_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_owners_teams_user_id'), ['teams_user_id'], unique=False)

    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_meeting_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_meeting_minute', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.drop_column('next_meeting_minute')
        batch_op.drop_column('next_meeting_date')

    with op.batch_alter_table('action_owners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_owners_teams_user_id'))
        batch_op.drop_index(batch_op.f('ix_action_owners_name_key'))
        batch_op.drop_index(batch_op.f('ix_action_owners_action_id'))

    op.drop_table('action_owners')
    with op.batch_alter_table('action_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_events_action_id'))

    op.drop_table('action_events')
    with op.batch_alter_table('due_backs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_backs_committee_id'))

    op.drop_table('due_backs')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_status'))
        batch_op.drop_index(batch_op.f('ix_actions_committee_id'))

    op.drop_table('actions')
